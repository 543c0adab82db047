"""The extension points: what each app adds to the shared pages, filled in `AppConfig.ready`.

An app never loads another app's template tags or imports another app to decorate a page: it
registers here and the shared pages render what is registered. See docs/architecture.md,
"Adding an app".

- nav entries: the header's links, each with the roles that may open it;
- panels: boxes on a shared page — `"desk-board"` (the front desk's board), `"unit"`, `"resident"`
  (their pages and the lookup), or another app's subject page (`"repair"`, `"complaint"` …);
- lookup providers: what the front-desk lookup finds for a typed query;
- KPI providers: the figures on the managers' dashboard;
- deadline kinds and policies: every clock's ladder (`propserv.deadlines`);
- gates: checks a lower app runs before a step that a higher app may forbid (keys asks
  "unit.move_in" before issuing move-in keys; the hand-over records answer). A gate raises
  `ValidationError` or `InvalidTransition` to refuse;
- hooks: what a higher app does when a lower app's record reaches a point ("repair.called_back":
  the reception entry it came from can close). A lower app's service calls
  `registry.hooks_for(point)` inside its own transaction, with keyword arguments.

The registry only stores; it imports no models, so every layer may fill it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from propserv.roles import has_role, user_roles


def _allows(roles: frozenset[str] | None, user) -> bool:
    """None: every signed-in staff member."""
    if user is None or not user.is_authenticated:
        return False
    return roles is None or has_role(user, roles)


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: Any  # a lazy translation: rendered in the reader's language
    url_name: str
    roles: frozenset[str] | None = None
    order: int = 100
    # A list of the reader's own work ("My jobs"): shown to holders of `roles` only, not to a
    # superuser, who passes every role check but is given no such work.
    personal: bool = False


@dataclass(frozen=True)
class Panel:
    """A box on a shared page. `context(request, obj)` returns the template's context, or None
    when the panel has nothing to show for this object."""

    page: str
    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    roles: frozenset[str] | None = None
    order: int = 100


@dataclass(frozen=True)
class LookupHit:
    kind: Any  # what was found ("key", "unit" …), a lazy translation
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class LookupProvider:
    """`search(user, estate_ids, query)` returns LookupHits; it must stay within the estates."""

    key: str
    search: Callable[[Any, list[int], str], Iterable[LookupHit]]
    roles: frozenset[str] | None = None
    order: int = 100


@dataclass(frozen=True)
class Period:
    """The dashboard's period [start, end) as aware datetimes, and the period of the same length
    just before it (each figure is shown beside its previous value)."""

    start: Any
    end: Any
    previous_start: Any
    previous_end: Any


@dataclass(frozen=True)
class Kpi:
    """One figure. `value` None means "no data in the period" (shown as a dash, never as 0 %)."""

    key: str
    label: Any  # a lazy translation
    value: Any
    previous: Any = None
    target: Any = None  # from EstateSettings; None: no target, never red
    better: str = "higher"  # "higher" or "lower": the side of the target that meets it
    unit: str = ""  # "%", "‰", "min", "¥" or "" (a count)
    url: str = ""  # drill-down: the list of exactly the records behind the figure

    @property
    def misses_target(self) -> bool:
        if self.target is None or self.value is None:
            return False
        if self.better == "lower":
            return self.value > self.target
        return self.value < self.target


@dataclass(frozen=True)
class Chart:
    """A chart the dashboard draws server-side as SVG. kind: "line" (series over `labels`),
    "bar" (one series over `labels`) or "histogram" (`marks` draws vertical lines, e.g. the 15-
    and 30-minute arrival limits). series: ((name, (value, …)), …)."""

    key: str
    title: Any
    kind: str
    labels: tuple = ()
    series: tuple = ()
    marks: tuple = ()  # ((x, label), …): x in bin units, 0 = the left edge of the first bin
    unit: str = ""


@dataclass(frozen=True)
class KpiCard:
    """A box on the dashboard: figures, then optional tables (`propserv.exports.Table`, so the
    dashboard's XLSX/CSV export is the cards' tables) and charts."""

    key: str
    title: Any
    kpis: tuple = ()
    tables: tuple = ()
    charts: tuple = ()
    order: int = 100


@dataclass(frozen=True)
class KpiProvider:
    """`compute(user, estate_ids, period)` returns KpiCards for the estates in `estate_ids` (already
    limited to those the user covers). It must run a fixed number of SQL statements whatever the
    period: aggregates in the database, never rows loaded into Python."""

    key: str
    compute: Callable[[Any, list[int], Period], Iterable[KpiCard]]
    roles: frozenset[str] | None = None
    order: int = 100


@dataclass
class Registry:
    nav: dict[str, NavEntry] = field(default_factory=dict)
    panels: dict[tuple[str, str], Panel] = field(default_factory=dict)
    lookups: dict[str, LookupProvider] = field(default_factory=dict)
    kpis: dict[str, KpiProvider] = field(default_factory=dict)
    # kind -> the app label that declared it; kind -> policy object
    deadline_kinds: dict[str, str] = field(default_factory=dict)
    deadline_policies: dict[str, Any] = field(default_factory=dict)
    gates: dict[tuple[str, str], Callable[..., None]] = field(default_factory=dict)
    hooks: dict[tuple[str, str], Callable[..., None]] = field(default_factory=dict)
    # app label -> (layer order, seed(estate)); `make run` loads the demo estate through these
    demo_seeders: dict[str, tuple[int, Callable[[Any], None]]] = field(default_factory=dict)

    # --- filling (AppConfig.ready) ------------------------------------------------------------
    # Registering the same key again replaces the entry, so a ready() that runs twice (tests,
    # autoreload) leaves one of each.

    def add_nav(self, entry: NavEntry) -> None:
        self.nav[entry.key] = entry

    def add_panel(self, panel: Panel) -> None:
        self.panels[(panel.page, panel.key)] = panel

    def add_lookup(self, provider: LookupProvider) -> None:
        self.lookups[provider.key] = provider

    def add_kpi(self, provider: KpiProvider) -> None:
        self.kpis[provider.key] = provider

    def add_deadline_kinds(self, app_label: str, kinds: Iterable[str]) -> None:
        """Declare the deadline kinds an app opens; the system check wants a policy for each."""
        for kind in kinds:
            self.deadline_kinds[str(kind)] = app_label

    def add_deadline_policy(self, policy) -> None:
        self.deadline_policies[policy.kind] = policy

    def add_gate(self, point: str, key: str, check: Callable[..., None]) -> None:
        self.gates[(point, key)] = check

    def add_hook(self, point: str, key: str, handler: Callable[..., None]) -> None:
        self.hooks[(point, key)] = handler

    def add_demo_seeder(self, app_label: str, seed: Callable[[Any], None], order: int) -> None:
        """`order`: the app's layer from the bottom (tickets 1 … visits 5): lower seeds first."""
        self.demo_seeders[app_label] = (order, seed)

    # --- reading (shared pages) ---------------------------------------------------------------

    def nav_for(self, user) -> list[NavEntry]:
        entries = [
            e
            for e in self.nav.values()
            if _allows(e.roles, user) and (not e.personal or user_roles(user) & (e.roles or set()))
        ]
        return sorted(entries, key=lambda e: (e.order, e.key))

    def panels_for(self, page: str, user) -> list[Panel]:
        found = [p for (pg, _), p in self.panels.items() if pg == page and _allows(p.roles, user)]
        return sorted(found, key=lambda p: (p.order, p.key))

    def lookups_for(self, user) -> list[LookupProvider]:
        found = [p for p in self.lookups.values() if _allows(p.roles, user)]
        return sorted(found, key=lambda p: (p.order, p.key))

    def kpis_for(self, user) -> list[KpiProvider]:
        found = [p for p in self.kpis.values() if _allows(p.roles, user)]
        return sorted(found, key=lambda p: (p.order, p.key))

    def demo_seeders_in_order(self) -> list[Callable[[Any], None]]:
        return [seed for _, seed in sorted(self.demo_seeders.values(), key=lambda p: p[0])]

    def gates_for(self, point: str) -> list[Callable[..., None]]:
        return [check for (pt, _key), check in sorted(self.gates.items()) if pt == point]

    def hooks_for(self, point: str) -> list[Callable[..., None]]:
        return [handler for (pt, _key), handler in sorted(self.hooks.items()) if pt == point]


registry = Registry()
