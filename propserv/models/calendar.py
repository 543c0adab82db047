"""The working-day calendar: statutory holidays and 调休 working weekends, per year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarYear(models.Model):
    """Where a year's holidays came from, and whether an admin has confirmed a provisional year."""

    class Source(models.TextChoices):
        OFFICIAL = "official", _("Official (State Council notice)")
        RULES = "rules", _("Computed from holiday rules")

    year = models.PositiveSmallIntegerField(primary_key=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    provisional = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a statutory holiday or a 调休 working weekend day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Statutory holiday")
        WORKDAY = "workday", _("Adjusted working day (调休)")

    date = models.DateField(primary_key=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=64, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    @property
    def is_working_day(self) -> bool:
        return self.kind == self.Kind.WORKDAY
