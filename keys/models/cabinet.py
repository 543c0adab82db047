"""A `Key`: one labelled bunch in the cabinet (docs/domain.md, Keys)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.models.common import USER
from propserv.models import Estate, EstateScopedQuerySet, Resident, Unit


class KeyQuerySet(EstateScopedQuerySet):
    def held(self):
        """Keys the office physically answers for."""
        return self.filter(state__in=Key.HELD_STATES)


class Key(models.Model):
    class Kind(models.TextChoices):
        DEVELOPER = "developer", pgettext_lazy("keys", "Developer-handed (vacant or unsold unit)")
        ENTRUSTED = "entrusted", pgettext_lazy("keys", "Entrusted by the owner")
        COMMON = "common", pgettext_lazy("keys", "Common area")

    class State(models.TextChoices):
        AT_DESK = "at_desk", pgettext_lazy("keys", "At the front desk (awaiting hand-over)")
        IN_CABINET = "in_cabinet", pgettext_lazy("keys", "In the cabinet")
        ON_LOAN = "on_loan", pgettext_lazy("keys", "On loan")
        RETURNED_TO_OWNER = "returned_to_owner", pgettext_lazy("keys", "Returned to the owner")
        LOST = "lost", pgettext_lazy("keys", "Lost")
        RETIRED = "retired", pgettext_lazy("keys", "Retired")

    HELD_STATES = (State.AT_DESK, State.IN_CABINET, State.ON_LOAN)
    GONE_STATES = (State.RETURNED_TO_OWNER, State.LOST, State.RETIRED)

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="keys", verbose_name=_("estate")
    )
    tag_code = models.CharField(
        _("tag code"), max_length=40, help_text=_("Printed on the tag and its QR code.")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="keys",
        verbose_name=_("unit"),
    )
    area = models.CharField(
        _("common area"), max_length=100, blank=True, help_text=_("e.g. 3栋水泵房, 会所.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(
        _("what the bunch holds"), max_length=200, blank=True, help_text=_("e.g. 入户门 + 信箱")
    )
    count = models.PositiveSmallIntegerField(_("keys in the bunch"))
    in_cabinet_count = models.PositiveSmallIntegerField(_("keys in the cabinet"), default=0)
    slot = models.CharField(_("cabinet slot"), max_length=16, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    owner = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entrusted_keys",
        verbose_name=pgettext_lazy("keys", "owner"),
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces key"),
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )

    objects = KeyQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "slot", "tag_code"]
        verbose_name = _("key")
        verbose_name_plural = _("keys")
        indexes = [models.Index(fields=["estate", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["estate", "tag_code"], name="key_tag_unique"),
            models.UniqueConstraint(
                fields=["estate", "slot"],
                condition=Q(state__in=["in_cabinet", "on_loan"]) & ~Q(slot=""),
                name="key_slot_holds_one_key",
            ),
            models.CheckConstraint(
                condition=Q(kind="common", unit__isnull=True) & ~Q(area="")
                | ~Q(kind="common") & Q(unit__isnull=False, area=""),
                name="key_opens_unit_or_common_area",
            ),
            models.CheckConstraint(
                condition=~Q(kind="entrusted") | Q(owner__isnull=False),
                name="key_entrusted_has_owner",
            ),
            # Counts never go negative and never exceed the bunch.
            models.CheckConstraint(
                condition=Q(in_cabinet_count__gte=0) & Q(in_cabinet_count__lte=F("count")),
                name="key_in_cabinet_within_count",
            ),
            # A key that is gone has nothing in the cabinet to lend.
            models.CheckConstraint(
                condition=~Q(state__in=["returned_to_owner", "lost", "retired", "at_desk"])
                | Q(in_cabinet_count=0),
                name="key_gone_has_nothing_in_cabinet",
            ),
            models.CheckConstraint(
                condition=~Q(state="in_cabinet") | Q(in_cabinet_count=F("count")),
                name="key_in_cabinet_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tag_code} · {self.opens}"

    def get_absolute_url(self) -> str:
        return reverse("keys:key", args=[self.pk])

    @property
    def opens(self) -> str:
        return self.unit.code if self.unit_id else self.area

    @property
    def is_held(self) -> bool:
        return self.state in self.HELD_STATES

    @property
    def out_count(self) -> int:
        return self.count - self.in_cabinet_count if self.state == self.State.ON_LOAN else 0

    def open_loan(self):
        return self.loans.filter(closed_at__isnull=True).select_related("lent_by").first()

    @property
    def current_loan(self):
        """The open loan, from `open_loans` when the queryset prefetched it."""
        if hasattr(self, "open_loans"):
            return self.open_loans[0] if self.open_loans else None
        return self.open_loan()
