"""The key ledger: every movement or fact in a key's life, append-only (docs/domain.md, Keys).

The state stored on a key is derived from its events (`keys.selectors.key_ledger_check` re-derives
it to prove they agree). Rows store codes and parameters, never text translated when they were
written: `data` holds the parties and the reason as codes ({"from": {"code": "slot", "slot":
"A-02"}, …}); `from_party`, `to_party` and `reason` hold only what a person typed or a name. The
labels are rendered when a page is shown, in the reader's language (docs/architecture.md,
"The shared contracts": timelines).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.models.cabinet import Key
from keys.models.common import USER
from propserv.models import Estate, EstateScopedQuerySet

# Who a key came from or went to, when the code names it (a person's or company's name is
# stored as typed, in from_party / to_party).
PARTIES = {
    "slot": _("Cabinet slot %(slot)s"),
    "developer": _("Developer"),
    "owner": _("Owner %(name)s"),
    "front_desk": _("Front desk"),
    "front_desk_person": _("Front desk: %(name)s"),
    "area_admin_person": _("Area administrator: %(name)s"),
    "slot_received_by": _("Cabinet slot %(slot)s, received by %(name)s"),
    "collector_for_owner": _("%(name)s for the owner (confirmed by phone)"),
}
# Why, when the code says it; a typed reason or note is stored as typed, in `reason`.
REASONS = {
    "registered": _("Registered"),
    "into_slot": _("Into cabinet slot %(slot)s"),
    "owner_confirmed": _("Owner confirmed"),
    "owner_not_confirmed": _("Owner did NOT confirm"),
    "identity_checked": _("Identity checked, ID card ending %(last4)s"),
    "move_in_receipt": _("Move-in, receipt %(number)s"),
    "back_to_rectify": _("Back to the contractor to rectify"),
    "count_checked": _("Count checked"),
    "count_checked_inspection_due": _("Count checked; unit inspection due"),
    "inspection_passed": _("Passed"),
    "inspection_failed": _("Failed: %(what)s"),
    "unit_inspection_passed": _("Unit inspection passed"),
    "key_reported_lost": _("Key reported lost"),
    "lock_changed": _("Lock changed"),
    "new_lock": _("New lock; replaces key %(tag)s"),
}


def coded(code: str, **params) -> dict:
    """A party or reason as a code and its parameters, for `KeyEvent.data`."""
    return {"code": code, **{k: str(v) for k, v in params.items()}}


def render_coded(table: dict, spec: dict | None) -> str:
    """The label of a coded party or reason in the active language ("" when there is none)."""
    if not spec:
        return ""
    label = table.get(spec.get("code"))
    if label is None:
        return spec.get("code", "")
    params = {k: v for k, v in spec.items() if k != "code"}
    try:
        return str(label) % params if params else str(label)
    except (KeyError, TypeError, ValueError):
        return str(label)


class KeyEventQuerySet(EstateScopedQuerySet):
    """Append-only: no bulk update or delete (PostgreSQL refuses them too, see migration 0002)."""

    def update(self, **kwargs):
        raise TypeError("key events are append-only; record a correcting event instead")

    def delete(self):
        raise TypeError("key events are append-only; record a correcting event instead")


class KeyEvent(models.Model):
    """One movement or fact in a key's life. Never edited, never deleted."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("keys", "Registered into the cabinet")
        ENTRUSTED = "entrusted", pgettext_lazy("keys", "Entrusted by the owner")
        HANDED_OVER = "handed_over", pgettext_lazy("keys", "Handed to the area administrator")
        MOVED = "moved", pgettext_lazy("keys", "Moved to another slot")
        LENT = "lent", pgettext_lazy("keys", "Lent")
        RETURNED = "returned", pgettext_lazy("keys", "Returned to the cabinet")
        INSPECTED = "inspected", pgettext_lazy("keys", "Unit inspected after a loan")
        LOAN_CLOSED = "loan_closed", pgettext_lazy("keys", "Loan closed")
        OWNER_CALL = "owner_call", pgettext_lazy("keys", "Owner phoned to confirm a collection")
        RETURNED_TO_OWNER = "returned_to_owner", pgettext_lazy("keys", "Returned to the owner")
        ISSUED_TO_OWNER = "issued_to_owner", pgettext_lazy("keys", "Issued to the owner at move-in")
        REPORTED_LOST = "reported_lost", pgettext_lazy("keys", "Reported lost")
        REPORTED_DAMAGED = "reported_damaged", pgettext_lazy("keys", "Reported damaged")
        OWNER_CONSENT = "owner_consent", pgettext_lazy("keys", "Owner consented to a lock change")
        LOCK_CHANGED = "lock_changed", pgettext_lazy("keys", "Lock changed")
        RETIRED = "retired", pgettext_lazy("keys", "Retired")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(
        Key, on_delete=models.PROTECT, related_name="events", verbose_name=_("key")
    )
    kind = models.CharField(
        pgettext_lazy("keys", "what happened"), max_length=20, choices=Kind.choices
    )
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    from_party = models.CharField(pgettext_lazy("keys", "from"), max_length=120, blank=True)
    to_party = models.CharField(pgettext_lazy("keys", "to"), max_length=120, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    count = models.PositiveSmallIntegerField(_("number of keys"), default=0)
    slot = models.CharField(_("cabinet slot"), max_length=16, blank=True)
    loan = models.ForeignKey(
        "KeyLoan", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    # Codes and parameters of the parties and the reason the code names (see PARTIES, REASONS).
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = KeyEventQuerySet.as_manager()

    Action = Kind  # the timeline's action codes (docs/architecture.md, "The shared contracts")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("key event")
        verbose_name_plural = _("key events")
        indexes = [models.Index(fields=["key", "at"])]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=0), name="keyevent_count_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.key.tag_code} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("key events are append-only; record a correcting event instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("key events are append-only; record a correcting event instead")

    @classmethod
    def record(
        cls,
        key: Key,
        kind: str,
        *,
        at,
        actor,
        source: dict | None = None,
        target: dict | None = None,
        why: dict | None = None,
        **fields,
    ) -> KeyEvent:
        """Append one event to `key`'s ledger. `source`, `target` and `why` are `coded(...)`
        parties and reason; `fields` are the typed columns (from_party, to_party, reason, count,
        slot, loan)."""
        if kind not in cls.Kind.values:
            raise ValueError(f"unknown key event {kind!r}")
        for table, spec in ((PARTIES, source), (PARTIES, target), (REASONS, why)):
            if spec is not None and spec["code"] not in table:
                raise ValueError(f"unknown key event code {spec['code']!r}")
        data = {
            name: spec
            for name, spec in (("from", source), ("to", target), ("why", why))
            if spec is not None
        }
        return cls.objects.create(
            estate_id=key.estate_id, key=key, kind=kind, at=at, actor=actor, data=data, **fields
        )

    # --- read in the reader's language ----------------------------------------------------------

    @property
    def action_label(self) -> str:
        return str(self.get_kind_display())

    @property
    def from_text(self) -> str:
        return render_coded(PARTIES, (self.data or {}).get("from")) or self.from_party

    @property
    def to_text(self) -> str:
        return render_coded(PARTIES, (self.data or {}).get("to")) or self.to_party

    @property
    def why_text(self) -> str:
        coded_reason = render_coded(REASONS, (self.data or {}).get("why"))
        return " — ".join(part for part in (coded_reason, self.reason) if part)
