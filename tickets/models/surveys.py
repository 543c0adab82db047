"""Satisfaction surveys (客户满意度调查) and residents' forums (住户座谈会): a per-estate
questionnaire template, a survey's sample of households with each return and its scores, the open
letter (公开信) drafted from the results (docs/domain.md, "Satisfaction surveys")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from propserv.models import Estate, EstateScopedQuerySet, Unit


class ServiceLine(models.TextChoices):
    REPAIRS = "repairs", _("Repairs")
    CLEANING = "cleaning", _("Cleaning")
    SECURITY = "security", _("Security")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    LANDSCAPING = "landscaping", _("Landscaping")
    FACILITIES = "facilities", _("Facilities and equipment")
    OVERALL = "overall", _("Overall")


class SurveyTemplate(models.Model):
    """An estate's questionnaire: its questions, each scored in a range."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="survey_templates", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["estate", "name"]
        verbose_name = _("questionnaire template")
        verbose_name_plural = _("questionnaire templates")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "name"], name="survey_template_name_unique_per_estate"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SurveyQuestion(models.Model):
    template = models.ForeignKey(
        SurveyTemplate,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("questionnaire template"),
    )
    position = models.PositiveSmallIntegerField(_("number"), default=1)
    text = models.CharField(_("question"), max_length=300)
    service_line = models.CharField(
        _("service line"), max_length=24, choices=ServiceLine.choices, default=ServiceLine.OVERALL
    )
    min_score = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=5)
    satisfied_from = models.PositiveSmallIntegerField(
        _("satisfied from score"),
        default=3,
        help_text=_("A score at or above this counts as satisfied."),
    )

    class Meta:
        ordering = ["template", "position", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__lt=F("max_score")), name="survey_question_range"
            ),
            models.CheckConstraint(
                condition=Q(satisfied_from__gte=F("min_score"))
                & Q(satisfied_from__lte=F("max_score")),
                name="survey_question_satisfied_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def scores(self) -> list[int]:
        return list(range(self.min_score, self.max_score + 1))


class Survey(models.Model):
    """One half-yearly survey of an estate: drawn, issued, returned, analysed, answered."""

    class Status(models.TextChoices):
        SAMPLED = "sampled", _("Sample drawn, to issue")
        ISSUED = "issued", _("Issued, collecting returns")
        CLOSED = "closed", _("Returns closed, results to publish")
        PUBLISHED = "published", _("Results published")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("estate")
    )
    template = models.ForeignKey(
        SurveyTemplate,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("questionnaire template"),
    )
    title = models.CharField(_("title"), max_length=100)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SAMPLED
    )
    sample_percent = models.PositiveSmallIntegerField(_("households sampled (%)"))
    households_total = models.PositiveIntegerField(_("households in the estate"))
    seed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("sample drawn at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("questionnaires issued at"), null=True, blank=True)
    returns_due_at = models.DateTimeField(_("returns due by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("returns closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [models.Index(fields=["estate", "issued_at"], name="survey_estate_issued")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tickets:survey-detail", args=[self.pk])


def new_link_code() -> str:
    return get_random_string(20)


class SurveyHousehold(models.Model):
    """A household in a survey's sample, and its return (returned_at set) once recorded."""

    class Channel(models.TextChoices):
        STAFF = "staff", _("Recorded by staff")
        LINK = "link", _("Filled in by the resident")

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="households", verbose_name=_("survey")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="survey_samples", verbose_name=_("unit")
    )
    code = models.CharField(max_length=32, unique=True, default=new_link_code)
    returned_at = models.DateTimeField(_("questionnaire returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("how"), max_length=8, choices=Channel.choices, blank=True)
    comment = models.TextField(_("resident's comment"), blank=True)

    class Meta:
        ordering = ["survey", "unit__code"]
        verbose_name = _("sampled household")
        verbose_name_plural = _("sampled households")
        constraints = [
            models.UniqueConstraint(fields=["survey", "unit"], name="survey_household_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.unit.code}"


class SurveyAnswer(models.Model):
    household = models.ForeignKey(SurveyHousehold, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["household", "question"], name="survey_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score}"


class SurveyLetter(models.Model):
    """The open letter (公开信) answering the common issues of a survey. Each save is a new
    version; the latest is the letter."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="letters")
    text = models.TextField(_("open letter"))
    written_at = models.DateTimeField(auto_now_add=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-written_at", "-pk"]
        verbose_name = _("open letter")
        verbose_name_plural = _("open letters")

    def __str__(self) -> str:
        return f"{self.survey} · {self.written_at:%Y-%m-%d %H:%M}"


class ResidentsForum(models.Model):
    """A residents' forum (住户座谈会), held every few months."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="residents_forums", verbose_name=_("estate")
    )
    held_on = models.DateField(_("held on"))
    attendee_count = models.PositiveSmallIntegerField(_("number of attendees"))
    attendees = models.TextField(_("attendees"))
    minutes = models.TextField(_("minutes"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EstateScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("residents' forum")
        verbose_name_plural = _("residents' forums")

    def __str__(self) -> str:
        return f"{self.estate} {self.held_on:%Y-%m-%d}"
