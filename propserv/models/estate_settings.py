"""Per-estate service settings: every number of docs/domain.md is a default an estate may change;
the modules read them from here (`estate.service_settings`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class EstateSettings(models.Model):
    """Every number of docs/domain.md is a per-estate default; the modules read them from here."""

    estate = models.OneToOneField(
        "propserv.Estate", on_delete=models.CASCADE, primary_key=True, related_name="settings_row"
    )
    # Repairs and the deadline engine (docs/domain.md, "Repairs")
    urgent_arrival_minutes = models.PositiveIntegerField(
        _("urgent repair: arrival within (minutes)"), default=15
    )
    normal_arrival_minutes = models.PositiveIntegerField(
        _("other repair: arrival within (minutes)"), default=30
    )
    general_repair_hours = models.PositiveIntegerField(
        _("general repair: complete within (hours)"), default=2
    )
    difficult_repair_hours = models.PositiveIntegerField(
        _("difficult repair: complete within (hours)"), default=72
    )
    repair_callback_hours = models.PositiveIntegerField(
        _("repair callback within (hours)"), default=48
    )
    deadline_warn_percent = models.PositiveSmallIntegerField(
        _("warn when this share of the time has elapsed (%)"),
        default=67,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    escalation_step_minutes = models.PositiveIntegerField(
        _("escalate to the next level after (minutes)"),
        default=30,
        help_text=_(
            "A breached deadline goes to the supervisor at once, then to the project "
            "manager when still unmet after this long."
        ),
    )
    # Complaints and callbacks (docs/domain.md, "Complaints", "Callbacks")
    complaint_reply_working_days = models.PositiveSmallIntegerField(
        _("complaint reply within (working days)"), default=4
    )
    important_report_minutes = models.PositiveIntegerField(
        _("important complaint: report up within (minutes)"), default=60
    )
    major_handle_days = models.PositiveSmallIntegerField(
        _("major complaint: answer within (days)"), default=2
    )
    important_handle_days = models.PositiveSmallIntegerField(
        _("important complaint: handle within (days)"), default=3
    )
    minor_handle_days = models.PositiveSmallIntegerField(
        _("minor complaint: handle within (days)"), default=2
    )
    invalid_reply_days = models.PositiveSmallIntegerField(
        _("invalid complaint: reply within (days)"), default=3
    )
    complaint_callback_days = models.PositiveSmallIntegerField(
        _("complaint callback within (days)"), default=3
    )
    complaint_upgrade_days = models.PositiveSmallIntegerField(
        _("open complaint becomes major after (days)"), default=30
    )
    monthly_report_day = models.PositiveSmallIntegerField(
        _("monthly complaint summary by day"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    repeat_complaint_count = models.PositiveSmallIntegerField(
        _("repeat complaint: same matter this many times"), default=2
    )
    repeat_repair_count = models.PositiveSmallIntegerField(
        _("repeat repair: same unit and category this many times"), default=3
    )
    repeat_window_days = models.PositiveSmallIntegerField(_("repeat window (days)"), default=30)
    calling_hours_start = models.TimeField(_("calls to residents from"), default=dt.time(8, 0))
    calling_hours_end = models.TimeField(_("calls to residents until"), default=dt.time(21, 0))
    quiet_start = models.TimeField(_("lunch break: no calls from"), default=dt.time(12, 0))
    quiet_end = models.TimeField(_("lunch break: no calls until"), default=dt.time(14, 0))
    satisfaction_target_percent = models.PositiveSmallIntegerField(
        _("satisfaction target (%)"), default=95
    )
    effective_complaint_target_permille = models.PositiveSmallIntegerField(
        _("effective-complaint rate target (‰ of households)"), default=10
    )
    # Reception and notices (docs/domain.md, "Reception")
    handover_ack_minutes = models.PositiveIntegerField(
        _("shift handover: acknowledge within (minutes)"), default=30
    )
    emergency_notice_minutes = models.PositiveIntegerField(
        _("emergency notice: post within (minutes)"), default=30
    )
    # Keys (docs/domain.md, "Keys")
    key_loan_max_days = models.PositiveSmallIntegerField(
        _("key loan: longest without supervisor approval (days)"), default=3
    )
    key_overdue_escalate_days = models.PositiveSmallIntegerField(
        _("overdue key loan: to supervisor after (days)"), default=3
    )
    vacant_report_day = models.PositiveSmallIntegerField(
        _("vacant-unit monthly report by day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # Fees (docs/domain.md, "Fees")
    fee_due_day = models.PositiveSmallIntegerField(
        _("monthly fee due by day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    arrears_notice_months = models.PositiveSmallIntegerField(
        _("public arrears notice after (months)"), default=6
    )
    # Renovation (docs/domain.md, "Renovation")
    renovation_patrols_per_day = models.PositiveSmallIntegerField(
        _("renovation patrols per day"), default=2
    )
    summer_from_month = models.PositiveSmallIntegerField(
        _("summer patrol hours from month"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    summer_to_month = models.PositiveSmallIntegerField(
        _("summer patrol hours to month"),
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    summer_patrol_start = models.TimeField(_("summer patrol hours from"), default=dt.time(7, 0))
    summer_patrol_end = models.TimeField(_("summer patrol hours until"), default=dt.time(21, 0))
    winter_patrol_start = models.TimeField(_("winter patrol hours from"), default=dt.time(8, 0))
    winter_patrol_end = models.TimeField(_("winter patrol hours until"), default=dt.time(22, 0))
    debris_window_start = models.TimeField(_("debris removal from"), default=dt.time(16, 0))
    debris_window_end = models.TimeField(_("debris removal until"), default=dt.time(18, 0))
    renovation_work_start = models.TimeField(_("renovation work from"), default=dt.time(8, 0))
    renovation_break_start = models.TimeField(
        _("residential renovation: midday break from"), default=dt.time(12, 0)
    )
    renovation_break_end = models.TimeField(
        _("residential renovation: midday break until"), default=dt.time(14, 0)
    )
    residential_work_end = models.TimeField(
        _("residential renovation work until"), default=dt.time(17, 0)
    )
    commercial_work_end = models.TimeField(
        _("commercial renovation work until (workers leave)"), default=dt.time(19, 0)
    )
    # Hand-over (docs/domain.md, "Hand-over and move-in")
    new_owner_visit_days = models.PositiveSmallIntegerField(
        _("visit new owners within (days)"), default=3
    )

    # Fees, continued (docs/domain.md, "Fees")
    billing_cycle_months = models.PositiveSmallIntegerField(
        _("billing cycle"),
        choices=[(1, _("monthly")), (6, _("twice a year (mid-year and year-end)"))],
        default=1,
    )
    large_debt_amount = models.DecimalField(
        _("large debt: legal follow-up from (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("10000.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    arrears_reminder_days = models.PositiveSmallIntegerField(
        _("arrears: remind again after (days)"), default=30
    )
    # Dashboard targets (docs/domain.md, "What managers review"); satisfaction and the
    # effective-complaint rate are above
    repair_on_time_target_percent = models.PositiveSmallIntegerField(
        _("repairs: arrival on time target (%)"),
        default=99,
        validators=[MaxValueValidator(100)],
    )
    repair_completion_target_percent = models.PositiveSmallIntegerField(
        _("repairs: completion on time target (%)"),
        default=99,
        validators=[MaxValueValidator(100)],
    )
    repair_callback_target_percent = models.PositiveSmallIntegerField(
        _("repairs: called back on time target (%)"),
        default=100,
        validators=[MaxValueValidator(100)],
    )
    complaint_reply_target_percent = models.PositiveSmallIntegerField(
        _("complaints: replied on time target (%)"),
        default=100,
        validators=[MaxValueValidator(100)],
    )
    complaint_callback_target_percent = models.PositiveSmallIntegerField(
        _("complaints: called back on time target (%)"),
        default=100,
        validators=[MaxValueValidator(100)],
    )
    routine_callback_target_percent = models.PositiveSmallIntegerField(
        _("routine callbacks: done target (%)"),
        default=95,
        validators=[MaxValueValidator(100)],
    )
    notice_completion_target_percent = models.PositiveSmallIntegerField(
        _("notices: households reached target (%)"),
        default=95,
        validators=[MaxValueValidator(100)],
    )

    # Quality checks (docs/domain.md, "Quality checks")
    quality_exemption_minutes = models.PositiveSmallIntegerField(
        _("quality: trivial non-conformity closed within (minutes) is not chased"), default=30
    )
    night_checks_per_month = models.PositiveSmallIntegerField(
        _("quality: night spot checks per month at least"), default=4
    )
    # Satisfaction surveys (docs/domain.md, "Satisfaction surveys")
    delivered_on = models.DateField(
        _("estate delivered on (for the survey sample)"), null=True, blank=True
    )
    survey_sample_percent = models.PositiveSmallIntegerField(
        _("survey: households sampled (%)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    survey_sample_percent_older = models.PositiveSmallIntegerField(
        _("survey: households sampled in an older estate (%)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    survey_older_after_years = models.PositiveSmallIntegerField(
        _("survey: an estate is older after (years)"), default=5
    )
    survey_issue_days = models.PositiveSmallIntegerField(
        _("survey: questionnaires issued within (days)"), default=3
    )
    survey_return_percent = models.PositiveSmallIntegerField(
        _("survey: returned target (%)"),
        default=75,
        validators=[MaxValueValidator(100)],
    )
    survey_return_days = models.PositiveSmallIntegerField(
        _("survey: returned within (days)"), default=10
    )
    survey_results_days = models.PositiveSmallIntegerField(
        _("survey: results within (days)"), default=3
    )
    survey_open_letter_days = models.PositiveSmallIntegerField(
        _("survey: open letter within (days)"), default=14
    )
    residents_forum_months = models.PositiveSmallIntegerField(
        _("residents' forum every (months)"), default=6
    )
    # Routine callbacks (docs/domain.md, "Callbacks"); supervisors use
    # routine_callback_target_percent above
    routine_callback_admin_target_percent = models.PositiveSmallIntegerField(
        _("routine callbacks: administrators' done target (%)"),
        default=90,
        validators=[MaxValueValidator(100)],
    )
    repair_followup_after_days = models.PositiveSmallIntegerField(
        _("repair works: follow-up call from (days after completion)"), default=30
    )
    repair_followup_within_days = models.PositiveSmallIntegerField(
        _("repair works: follow-up call by (days after completion)"), default=60
    )
    emergency_callback_days = models.PositiveSmallIntegerField(
        _("emergency assistance: callback within (days)"), default=7
    )
    head_visits_per_year = models.PositiveSmallIntegerField(
        _("office head: visits to each household per year"), default=1
    )
    # Common-area patrols (docs/domain.md, "Common-area patrol")
    common_patrol_morning_by = models.TimeField(
        _("common-area patrol: morning round done by"), default=dt.time(12, 0)
    )
    common_patrol_afternoon_by = models.TimeField(
        _("common-area patrol: afternoon round done by"), default=dt.time(18, 0)
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("estate service settings")
        verbose_name_plural = _("estate service settings")

    def __str__(self) -> str:
        return str(_("Settings of %(estate)s") % {"estate": self.estate})
