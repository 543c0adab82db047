"""The resident's questionnaire (no login): reached only through a signed link that names one
sampled household, filled in on a phone, returned once (docs/domain.md, "Satisfaction surveys").

Protection as on the residents' repair pages: the link is signed (django.core.signing, its own
salt), CSRF on the form, rate limits per address (5 a minute, 20 an hour, counted in the Redis
cache) answered with a friendly 429 page, length limits on every field, every text shown through
Django's autoescaping.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from propserv.errors import InvalidTransition
from propserv.web import refusal_messages
from tickets.forms.surveys import ScoresForm
from tickets.models import Survey, SurveyHousehold
from tickets.services import surveys as services

SURVEY_SALT = "tickets.survey"
RATES = ("5/m", "20/h")


def survey_token(household: SurveyHousehold) -> str:
    return signing.Signer(salt=SURVEY_SALT).sign(household.code)


def survey_url(household: SurveyHousehold) -> str:
    return reverse("tickets:survey-public", args=[survey_token(household)])


def household_from_token(token: str) -> SurveyHousehold:
    try:
        code = signing.Signer(salt=SURVEY_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    return get_object_or_404(
        SurveyHousehold.objects.select_related(
            "survey", "survey__estate", "survey__template", "unit"
        ),
        code=code,
    )


def client_ip(request) -> str:
    """The resident's address (behind our proxy: the last X-Forwarded-For entry)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")


def _limited(request) -> bool:
    key = client_ip(request)
    over = False
    for rate in getattr(settings, "TICKETS_PUBLIC_RATES", RATES):
        over |= is_ratelimited(
            request,
            group="survey:ip",
            key=lambda _group, _request: key,
            rate=rate,
            increment=True,
        )
    return over


@require_http_methods(["GET", "POST"])
def survey_public(request, token: str):
    household = household_from_token(token)
    survey = household.survey
    context = {"household": household, "survey": survey, "estate": survey.estate}
    if request.method == "POST" and _limited(request):
        return render(request, "tickets/surveys/public_limited.html", context, status=429)
    questions = list(survey.template.questions.all())
    form = ScoresForm(
        request.POST if request.method == "POST" else None, questions=questions, radios=True
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.survey_return_by_link(
                    household_id=household.pk,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except (ValidationError, InvalidTransition) as exc:
                for field, texts in refusal_messages(exc).items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            else:
                return HttpResponseRedirect(request.path + "?done=1")
    return render(
        request,
        "tickets/surveys/public_form.html",
        {
            **context,
            "form": form,
            "returned": household.returned_at is not None and request.method == "GET",
            "collecting": survey.status == Survey.Status.ISSUED,
            "done": request.GET.get("done") == "1",
        },
        status=status,
    )
