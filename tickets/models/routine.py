"""Routine callbacks' reference data (docs/domain.md, Callbacks): the area each administrator
visits every quarter, and the register of key households (重点户) whose service history the office
follows. The planned callbacks themselves are `Callback` rows of a routine kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from propserv.models import Building, Estate, EstateScopedQuerySet, Resident, Unit


class AdministratorArea(models.Model):
    """The buildings (and single units) an area administrator (区域管理员) looks after: every
    household in it gets the administrator's visit once a quarter."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="administrator_areas")
    name = models.CharField(_("name"), max_length=100)
    administrator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="administrator_areas",
        verbose_name=_("area administrator"),
    )
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="administrator_areas", verbose_name=_("buildings")
    )
    units = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="administrator_areas",
        verbose_name=_("single units"),
        help_text=_("Units outside the buildings above that belong to this area."),
    )

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "name"]
        verbose_name = _("administrator's area")
        verbose_name_plural = _("administrators' areas")
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="admin_area_name_per_estate")
        ]

    def __str__(self) -> str:
        return self.name


class KeyHousehold(models.Model):
    """A key household (重点户): an elderly resident living alone, a household with repeated
    complaints, a VIP … The office follows its service history. Taking it off the register sets
    `removed_at`; the row stays."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="key_households")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="key_households", verbose_name=_("unit")
    )
    resident = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_households",
        verbose_name=_("resident"),
    )
    reason = models.CharField(_("why it is a key household"), max_length=200)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(_("taken off the register at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_reason = models.CharField(_("why it was taken off"), max_length=200, blank=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code"]
        verbose_name = _("key household")
        verbose_name_plural = _("key households")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(removed_at__isnull=True),
                name="key_household_once_on_register",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Key household')} {self.unit}"

    @property
    def on_register(self) -> bool:
        return self.removed_at is None
