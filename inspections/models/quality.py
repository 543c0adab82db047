"""Quality checks (品质检查; docs/domain.md, "Quality checks"): checklist templates per estate,
the checks done from a phone with their photos, the non-conformities of the daily and night
checks, the defects of the quality department's monthly and quarterly scored checks with their
closure record (缺陷消项记录: the office's cause and fix, the next check's verification, the fault
transfer form to the responsible department), the weather-warning log and one row per estate and
month whose deadline flags a month short of its night spot checks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Department, Estate, EstateScopedQuerySet

USER = settings.AUTH_USER_MODEL


class CheckKind(models.TextChoices):
    SELF = "self", _("Daily self-check")
    SUPERVISOR = "supervisor", _("Supervisor's daily check")
    NIGHT = "night", _("Night spot check")
    MONTHLY = "monthly", _("Quality department monthly check")
    QUARTERLY = "quarterly", _("Quality department quarterly check")


# The quality department's scored checks: their findings are defects with a closure record.
SCORED_KINDS = (CheckKind.MONTHLY, CheckKind.QUARTERLY)


class QualityTemplate(models.Model):
    """A checklist of one estate for one kind of check. `items`: [{"code", "text", "specialty",
    "max_score"}]; a scored check's items carry a maximum score, the daily lists 0 (pass/fail).
    A check keeps a copy of the items it was done with, so a later edit changes no history."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of check"), max_length=12, choices=CheckKind.choices)
    name = models.CharField(_("name"), max_length=100)
    items = models.JSONField(_("checklist items"), default=list)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "kind", "name"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"

    @property
    def max_total(self) -> int:
        return sum(int(item.get("max_score") or 0) for item in self.items)


class WeatherWarning(models.Model):
    """A typhoon or rainstorm warning in force: a night spot check is due while it lasts."""

    class Kind(models.TextChoices):
        TYPHOON = "typhoon", _("Typhoon warning")
        RAINSTORM = "rainstorm", _("Rainstorm warning")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("warning"), max_length=12, choices=Kind.choices)
    level = models.CharField(_("signal"), max_length=32, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("weather warning")
        verbose_name_plural = _("weather warnings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.level} {self.starts_at:%Y-%m-%d %H:%M}"


class QualityCheckQuerySet(EstateScopedQuerySet):
    def night(self):
        return self.filter(kind=CheckKind.NIGHT)


class QualityCheck(models.Model):
    """One check as done: the template's items with their scores or verdicts (`results`:
    {code: score, or "ok"/"fail"}), the total of a scored check, and for a night spot check the
    post checked and the person on duty who signed beside the checker."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        QualityTemplate, on_delete=models.PROTECT, related_name="checks", null=True, blank=True
    )
    kind = models.CharField(_("kind of check"), max_length=12, choices=CheckKind.choices)
    checked_at = models.DateTimeField(_("checked"))
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    items = models.JSONField(_("checklist items"), default=list)
    results = models.JSONField(_("results"), default=dict)
    score = models.PositiveIntegerField(_("score"), null=True, blank=True)
    max_score = models.PositiveIntegerField(_("maximum score"), null=True, blank=True)
    post = models.CharField(_("post checked"), max_length=100, blank=True)
    on_duty = models.CharField(_("on duty (signed)"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = QualityCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("quality check")
        verbose_name_plural = _("quality checks")
        indexes = [models.Index(fields=["estate", "kind", "checked_at"], name="quality_check_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.checked_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:quality-check", args=[self.pk])

    @property
    def scored(self) -> bool:
        return self.kind in SCORED_KINDS


def quality_photo_path(instance, filename: str) -> str:
    return f"quality/checks/{instance.quality_check_id}/{filename}"


class QualityCheckPhoto(models.Model):
    quality_check = models.ForeignKey(QualityCheck, on_delete=models.CASCADE, related_name="photos")
    file = models.ImageField(_("photo"), upload_to=quality_photo_path)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("check photo")
        verbose_name_plural = _("check photos")

    def __str__(self) -> str:
        return self.file.name


class DutyFailure(models.TextChoices):
    NONE = "", _("None")
    LATE_HANDOVER = "late_handover", _("Late hand-over")
    LEFT_POST = "left_post", _("Left the post")
    OTHER = "other", _("Other failure of duty")


class NonConformityQuerySet(EstateScopedQuerySet):
    def chased(self):
        return self.filter(exempt=False)

    def open(self):
        return self.filter(exempt=False, closed_at__isnull=True)


class NonConformity(models.Model):
    """A non-conformity found by a daily or night check (日检记录). Trivial ones closed within the
    estate's exemption time and recurring litter cleared on the spot are `exempt`: counted, not
    chased. Every other one, and every failure of duty, names who is responsible and how it was
    closed."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    quality_check = models.ForeignKey(
        QualityCheck, on_delete=models.PROTECT, related_name="nonconformities"
    )
    item = models.CharField(_("checklist item"), max_length=32, blank=True)
    specialty = models.CharField(_("specialty"), max_length=32, choices=Department.choices)
    description = models.TextField(_("what was found"))
    duty_failure = models.CharField(
        _("failure of duty"), max_length=16, choices=DutyFailure.choices, blank=True
    )
    trivial = models.BooleanField(_("trivial"), default=False)
    litter = models.BooleanField(_("recurring litter cleared on the spot"), default=False)
    exempt = models.BooleanField(_("counted, not chased"), default=False)
    responsible = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("responsible"),
    )
    found_at = models.DateTimeField(_("found"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closure = models.TextField(_("how it was closed"), blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True)

    objects = NonConformityQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("non-conformity")
        verbose_name_plural = _("non-conformities")

    def __str__(self) -> str:
        return f"{self.get_specialty_display()}: {self.description[:40]}"

    def get_absolute_url(self) -> str:
        return self.quality_check.get_absolute_url()


class DefectQuerySet(EstateScopedQuerySet):
    def open(self):
        return self.exclude(status=Defect.Status.VERIFIED)


class Defect(models.Model):
    """A defect found by the quality department's monthly or quarterly check: one line of the
    defect closure record (缺陷消项记录). The office records the cause and the fix by the deadline
    (a deadline row, inspections.sla); the next scored check verifies the closure; a problem the
    office cannot fix itself goes up on a fault transfer form."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("defect", "Open")
        TRANSFERRED = "transferred", _("Transferred to the department")
        FIXED = "fixed", _("Fixed, awaiting verification")
        VERIFIED = "verified", _("Closure verified")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    quality_check = models.ForeignKey(
        QualityCheck, on_delete=models.PROTECT, related_name="defects"
    )
    item = models.CharField(_("checklist item"), max_length=32, blank=True)
    specialty = models.CharField(_("specialty"), max_length=32, choices=Department.choices)
    description = models.TextField(_("defect"))
    responsible = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("responsible"),
    )
    found_at = models.DateTimeField(_("found"))
    due_at = models.DateTimeField(_("fix by"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )

    objects = DefectQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "pk"]
        verbose_name = _("defect")
        verbose_name_plural = _("defects")

    def __str__(self) -> str:
        return f"{self.get_specialty_display()}: {self.description[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:quality-defect", args=[self.pk])

    @property
    def last_fix(self):
        fixes = list(self.fixes.all())
        return fixes[-1] if fixes else None


class DefectFix(models.Model):
    """The office's cause and fix of a defect; a fix that fails verification stays on record
    and the next one is a new row."""

    defect = models.ForeignKey(Defect, on_delete=models.PROTECT, related_name="fixes")
    cause = models.TextField(_("cause"))
    fix = models.TextField(_("fix"))
    at = models.DateTimeField(_("fixed"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("defect fix")
        verbose_name_plural = _("defect fixes")

    def __str__(self) -> str:
        return f"{self.defect} {self.at:%Y-%m-%d}"


class DefectVerification(models.Model):
    """The next scored check's verdict on a fixed defect."""

    defect = models.ForeignKey(Defect, on_delete=models.PROTECT, related_name="verifications")
    quality_check = models.ForeignKey(QualityCheck, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("verified"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("closure confirmed"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("defect verification")
        verbose_name_plural = _("defect verifications")

    def __str__(self) -> str:
        return f"{self.defect} {self.at:%Y-%m-%d}"


class FaultTransfer(models.Model):
    """The fault transfer form (故障转移单): a defect the office cannot fix itself, sent to the
    responsible department and its head."""

    defect = models.OneToOneField(Defect, on_delete=models.PROTECT, related_name="transfer")
    department = models.CharField(_("department"), max_length=32, choices=Department.choices)
    head = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("department head"),
    )
    reason = models.TextField(_("why the office cannot fix it"))
    at = models.DateTimeField(_("transferred"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("fault transfer form")
        verbose_name_plural = _("fault transfer forms")

    def __str__(self) -> str:
        return f"{self.defect} → {self.get_department_display()}"


class NightCheckMonth(models.Model):
    """One estate's month of night spot checks: the subject of the deadline that flags the month
    when it ends short of `night_checks_per_month` or with a weather warning left unchecked."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("month of night checks")
        verbose_name_plural = _("months of night checks")
        constraints = [models.UniqueConstraint(fields=["estate", "month"], name="night_month_once")]

    def __str__(self) -> str:
        return f"{self.estate} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:quality") + f"?estate={self.estate.code}"
