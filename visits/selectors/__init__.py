"""Composite reads of the front desk: the resident type-ahead, the one-box lookup, the lists of
the reception log and the panels visits adds to other apps' pages (propserv.registry).

Every read is limited to the estates the user works for. Searches are prefix or suffix matches
served by the indexes of migration 0002 (no "contains" scans), each capped, so the type-ahead stays
fast over a large estate portfolio.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.db.models.functions import Reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propserv.models import Deadline, Resident, Unit
from propserv.phones import phone_for
from propserv.registry import LookupHit, registry
from propserv.roles import can_see_phones
from propserv.web import estates_for
from tickets.models import Complaint, Repair
from visits import rules
from visits.models import HandoverItem, Visit

TYPEAHEAD_LIMIT = 10


def _estate_ids(user) -> list[int]:
    return list(estates_for(user).values_list("pk", flat=True))


def _residents(estate_ids):
    """Unordered on purpose: an ORDER BY would make PostgreSQL walk an index in that order instead
    of using the prefix indexes; the few rows found are sorted in Python."""
    return (
        Resident.objects.current()
        .filter(estate_id__in=estate_ids)
        .select_related("unit", "estate")
        .order_by()
    )


def _units_by_code(estate_ids, q: str, limit: int):
    """Units whose code starts with `q`, or (digits only) whose room number is `q`."""
    units = Unit.objects.filter(estate_id__in=estate_ids, code__startswith=q).order_by()[:limit]
    found = {u.pk: u for u in units}
    if q.isdigit() and len(found) < limit:
        rooms = (
            Unit.objects.annotate(rcode=Reverse("code"))
            .filter(estate_id__in=estate_ids, rcode__startswith=("-" + q)[::-1])
            .order_by()[: limit - len(found)]
        )
        found.update({u.pk: u for u in rooms})
    return list(found.values())


def _repair_hit(user, kind: str, value: str) -> Repair | None:
    repairs = Repair.objects.for_user(user).select_related("unit", "reporter", "estate", "category")
    if kind == "repair":
        return repairs.filter(pk=int(value)).first()
    if kind == "tracking":
        return repairs.filter(tracking_code=value.upper()).first()
    return None


def _visit_hit(user, value: str) -> Visit | None:
    return Visit.objects.for_user(user).select_related("unit").filter(pk=int(value)).first()


def find_residents(user, q: str, limit: int = TYPEAHEAD_LIMIT) -> list[Resident]:
    """Residents matching the search box: unit code, name, phone (start or last digits; the
    whole number only for roles that do not see phones), repair number, tracking code or
    reception number."""
    kind, value = rules.classify_query(q)
    if kind == "empty":
        return []
    estate_ids = _estate_ids(user)
    if not estate_ids:
        return []
    residents = _residents(estate_ids)
    found: dict[int, Resident] = {}

    def add(qs):
        for r in qs[: max(0, limit - len(found))]:
            found.setdefault(r.pk, r)

    if kind in ("repair", "tracking", "visit"):
        hit = _visit_hit(user, value) if kind == "visit" else _repair_hit(user, kind, value)
        if hit is not None:
            reporter = getattr(hit, "reporter", None) or getattr(hit, "resident", None)
            if reporter is not None:
                found[reporter.pk] = reporter
            if hit.unit_id:
                add(residents.filter(unit_id=hit.unit_id))
        if kind == "tracking":
            add(residents.filter(name__startswith=q.strip()))
    elif kind == "digits":
        # Prefix and suffix searches would recover a masked number digit by digit: only the
        # roles that see phones get them; everyone else needs the whole number.
        show = can_see_phones(user)
        add(residents.filter(phone__startswith=value) if show else residents.filter(phone=value))
        if show and len(value) >= 4 and len(found) < limit:
            add(residents.annotate(rphone=Reverse("phone")).filter(rphone__startswith=value[::-1]))
        if len(value) <= 5 and len(found) < limit:
            units = _units_by_code(estate_ids, value, limit)
            add(residents.filter(unit__in=units))
    elif kind == "unit":
        units = _units_by_code(estate_ids, value, limit)
        add(residents.filter(unit__in=units))
    else:
        add(residents.filter(name__startswith=value))
    return sorted(found.values(), key=lambda r: (r.unit.code, r.role != "owner", r.name))[:limit]


def typeahead(user, q: str) -> list[dict]:
    """The JSON rows of the type-ahead: phones masked unless the user's role needs them."""
    return [
        {
            "id": r.pk,
            "name": r.name,
            "role": r.get_role_display(),
            "unit": r.unit.code,
            "unit_id": r.unit_id,
            "estate": r.estate.code,
            "estate_name": r.estate.name,
            "phone": phone_for(user, r.phone),
        }
        for r in find_residents(user, q)
    ]


# --- the full lookup page ------------------------------------------------------------------------


def _open_complaints(user, unit) -> list:
    return list(Complaint.objects.for_user(user).filter(unit=unit).open().order_by("-pk")[:10])


def lookup_hits(user, q: str) -> list[LookupHit]:
    """What the registered lookup providers (keys, fees … and visits' own) find for `q`."""
    estate_ids = _estate_ids(user)
    if not estate_ids or not q.strip():
        return []
    hits: list[LookupHit] = []
    for provider in registry.lookups_for(user):
        hits.extend(provider.search(user, estate_ids, q))
    return hits


def reception_entry_hits(user, estate_ids, q: str):
    """visits' own lookup provider: a reception entry by its number (JD000123)."""
    kind, value = rules.classify_query(q)
    if kind != "visit":
        return []
    visit = Visit.objects.filter(estate_id__in=estate_ids, pk=int(value)).first()
    if visit is None:
        return []
    return [
        LookupHit(
            kind=_("Reception entry"),
            title=visit.number,
            url=visit.get_absolute_url(),
            detail=visit.get_status_display(),
        )
    ]


def lookup(user, q: str) -> dict:
    """Everything the front desk needs while the resident stands there."""
    kind, value = rules.classify_query(q)
    repair_hit = _repair_hit(user, kind, value) if kind in ("repair", "tracking") else None
    if kind == "text" and rules.TRACKING_RE.match(value.upper()):
        # An all-letter tracking code typed in lower case reads like a name: try both.
        repair_hit = _repair_hit(user, "tracking", value)
    visit_hit = _visit_hit(user, value) if kind == "visit" else None
    hits = lookup_hits(user, q)
    residents = find_residents(user, q, limit=20) if kind != "empty" else []
    unit_ids: list[int] = []
    for hit in (repair_hit, visit_hit):
        if hit is not None and hit.unit_id:
            unit_ids.append(hit.unit_id)
    for r in residents:
        if r.unit_id not in unit_ids:
            unit_ids.append(r.unit_id)
    if kind in ("unit", "digits") and not residents:
        unit_ids += [
            u.pk for u in _units_by_code(_estate_ids(user), value, 5) if u.pk not in unit_ids
        ]
    units = {
        u.pk: u
        for u in Unit.objects.for_user(user)
        .filter(pk__in=unit_ids[:5])
        .select_related("estate", "building")
    }
    cards = []
    for unit_id in unit_ids[:5]:
        unit = units.get(unit_id)
        if unit is None:
            continue
        people = list(Resident.objects.current().filter(unit=unit).order_by("role", "name"))
        cards.append(
            {
                "unit": unit,
                "residents": [
                    {
                        "resident": p,
                        "phone": phone_for(user, p.phone),
                        "highlight": any(r.pk == p.pk for r in residents),
                    }
                    for p in people
                ],
                "repairs": list(
                    Repair.objects.for_user(user)
                    .filter(unit=unit)
                    .open()
                    .select_related("category", "technician")
                    .order_by("-received_at")[:10]
                ),
                "complaints": _open_complaints(user, unit),
            }
        )
    return {
        "kind": kind,
        "cards": cards,
        "repair_hit": repair_hit,
        "visit_hit": visit_hit,
        "hits": hits,
    }


def praise_and_suggestions(user, *, unread_only: bool = False):
    qs = (
        Visit.objects.for_user(user)
        .filter(category__in=[Visit.Category.PRAISE, Visit.Category.SUGGESTION])
        .select_related("estate", "unit", "owner", "pm_noted_by")
        .order_by("-received_at")
    )
    return qs.filter(pm_noted_at__isnull=True) if unread_only else qs


def my_open_visits(user):
    return (
        Visit.objects.for_user(user)
        .filter(owner=user)
        .open()
        .select_related("estate", "owner", "resident", "unit", "repair")
        .order_by("received_at")
    )


def unowned_visits(user, estate):
    """Open entries nobody at the desk has taken yet (residents' web reports), oldest first."""
    return (
        Visit.objects.for_user(user)
        .filter(estate=estate, owner__isnull=True)
        .open()
        .select_related("estate", "unit", "repair")
        .order_by("received_at")
    )


def open_visits(user, estate=None):
    qs = Visit.objects.for_user(user).open().select_related("estate", "unit", "owner", "repair")
    if estate is not None:
        qs = qs.filter(estate=estate)
    return qs.order_by("received_at")


def handover_open_items(estate, members):
    """Open entries owned by `members` and not already waiting in another handover."""
    return (
        Visit.objects.filter(estate=estate, owner__in=members)
        .open()
        .filter(
            ~Exists(HandoverItem.objects.filter(visit=OuterRef("pk"), acknowledged_at__isnull=True))
        )
        .select_related("unit", "owner")
        .order_by("received_at")
    )


def deadlines_of(subject) -> list[tuple]:
    """(deadline, its state now) of a record, oldest first."""
    now = timezone.now()
    return [(d, d.state(now)) for d in Deadline.objects.for_subject(subject).order_by("started_at")]


# --- panels on other apps' pages (registered in visits.extensions) -------------------------------


def origin_panel(request, ticket):
    """The reception entries a repair or complaint came from, with their first-contact owner."""
    if ticket is None or not ticket.pk:
        return None
    field = "complaint" if isinstance(ticket, Complaint) else "repair"
    entries = list(
        Visit.objects.filter(**{field: ticket}).select_related("owner").order_by("received_at")
    )
    return {"entries": entries} if entries else None


def unit_entries_panel(request, unit):
    """The open reception entries of a unit (the lookup's unit card)."""
    if unit is None:
        return None
    visits = list(
        Visit.objects.for_user(request.user)
        .filter(unit=unit)
        .open()
        .select_related("owner")
        .order_by("-received_at")[:10]
    )
    return {"visits": visits}
