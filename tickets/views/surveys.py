"""Staff screens for satisfaction surveys and residents' forums (docs/domain.md, "Satisfaction
surveys"): the estate's surveys and forums, one survey with its sample, returns, results and open
letter, and the results as a print view, PDF or XLSX. Pages offer only what `allowed_actions`
says the service would accept; a refusal comes back with what was typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propserv.access import may
from propserv.deadlines import policy_for
from propserv.models import Deadline
from propserv.web import current_estate, estates_for
from tickets.forms import surveys as sf
from tickets.models import Survey
from tickets.reports import surveys as survey_reports
from tickets.rules import surveys as rules
from tickets.selectors import surveys as selectors
from tickets.services import surveys as services
from tickets.views.common import attempt_on_page
from tickets.views.survey_public import survey_url


def _estate(request):
    """The estate of the page: ?estate= a code or (from a dashboard link) an id."""
    wanted = request.GET.get("estate") or request.POST.get("estate") or ""
    if wanted.isdigit():
        found = estates_for(request.user).filter(pk=int(wanted)).first()
        if found is not None:
            return found
    return current_estate(request)


def _list(request, estate, *, new_form=None, forum_form=None, status=200):
    if estate is None:
        raise Http404
    today = timezone.localdate()
    last_forum = selectors.last_forum_date(estate)
    forum_due = rules.next_forum_due(
        last_forum, estate.service_settings.residents_forum_months, today
    )
    return render(
        request,
        "tickets/surveys/list.html",
        {
            "estate": estate,
            "surveys": Survey.objects.filter(estate=estate).select_related("template"),
            "new_form": new_form or sf.SurveyNewForm(estate=estate),
            "forum_form": forum_form or sf.ForumForm(initial={"held_on": today}),
            "forums": selectors.forums_of(estate),
            "last_forum": last_forum,
            "forum_due": forum_due,
            "forum_overdue": forum_due < today,
            "may_run": may(request.user, estate, services.SURVEY_STAFF),
            "sample_percent": rules.sample_percent(estate.service_settings, today),
        },
        status=status,
    )


@login_required
def survey_list(request):
    return _list(request, _estate(request))


@login_required
@require_POST
def survey_new(request):
    estate = _estate(request)
    if estate is None:
        raise Http404
    form = sf.SurveyNewForm(request.POST, estate=estate)
    if form.is_valid():
        ok, survey = attempt_on_page(
            request,
            services.survey_create,
            form=form,
            estate=estate,
            template_id=form.cleaned_data["template"].pk,
            title=form.cleaned_data["title"],
            actor=request.user,
        )
        if ok:
            messages.success(request, _("The sample is drawn: issue the questionnaires."))
            return HttpResponseRedirect(survey.get_absolute_url())
    return _list(request, estate, new_form=form, status=400)


@login_required
@require_POST
def forum_new(request):
    estate = _estate(request)
    if estate is None:
        raise Http404
    form = sf.ForumForm(request.POST)
    if form.is_valid():
        ok, _forum = attempt_on_page(
            request,
            services.forum_record,
            form=form,
            estate=estate,
            actor=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The residents' forum is logged."))
            return HttpResponseRedirect(f"{reverse('tickets:survey-list')}?estate={estate.code}")
    return _list(request, estate, forum_form=form, status=400)


def _survey(request, pk: int) -> Survey:
    return get_object_or_404(selectors.surveys_for(request.user), pk=pk)


def _detail(request, survey: Survey, *, bound=None, status: int = 200):
    questions = list(survey.template.questions.all())
    result = selectors.results(survey)
    letter = selectors.latest_letter(survey)
    forms = {
        "return_form": sf.StaffReturnForm(questions=questions),
        "letter_form": sf.LetterForm(
            initial={"text": letter.text if letter else selectors.letter_draft(survey, result)}
        ),
    }
    forms.update(bound or {})
    rows = [
        {"household": h, "link": request.build_absolute_uri(survey_url(h))}
        for h in selectors.sample_rows(survey)
    ]
    return render(
        request,
        "tickets/surveys/detail.html",
        {
            "survey": survey,
            "estate": survey.estate,
            "questions": questions,
            "result": result,
            "returns": result["returns"],
            "rows": rows,
            "letter": letter,
            "deadlines": [
                (policy_for(d.kind).label or d.kind, d)
                for d in Deadline.objects.for_subject(survey).order_by("started_at", "pk")
            ],
            "actions": services.allowed_actions(survey, request.user),
            "target": survey.estate.service_settings.satisfaction_target_percent,
            **forms,
        },
        status=status,
    )


@login_required
def survey_detail(request, pk: int):
    return _detail(request, _survey(request, pk))


SIMPLE = {
    "issue": (services.survey_issue, _("The questionnaires are issued.")),
    "close": (services.survey_close, _("The returns are closed: publish the results.")),
    "publish": (services.survey_publish, _("The results are published: write the open letter.")),
}


@login_required
@require_POST
def survey_action(request, pk: int, action: str):
    survey = _survey(request, pk)
    back = survey.get_absolute_url()
    if action in SIMPLE:
        call, done = SIMPLE[action]
        ok, _result = attempt_on_page(
            request, call, form=None, survey_id=survey.pk, actor=request.user
        )
        if ok:
            messages.success(request, done)
        return HttpResponseRedirect(back)
    if action == "return":
        form = sf.StaffReturnForm(request.POST, questions=survey.template.questions.all())
        if form.is_valid():
            ok, household = attempt_on_page(
                request,
                services.survey_record_return,
                form=form,
                survey_id=survey.pk,
                unit=form.cleaned_data["unit"],
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                actor=request.user,
            )
            if ok:
                messages.success(
                    request, _("The return of %(unit)s is recorded.") % {"unit": household.unit}
                )
                return HttpResponseRedirect(back + "#returns")
        return _detail(request, survey, bound={"return_form": form}, status=400)
    if action == "letter":
        form = sf.LetterForm(request.POST)
        if form.is_valid():
            ok, _letter = attempt_on_page(
                request,
                services.survey_letter_save,
                form=form,
                survey_id=survey.pk,
                text=form.cleaned_data["text"],
                actor=request.user,
            )
            if ok:
                messages.success(request, _("The open letter is saved."))
                return HttpResponseRedirect(back + "#letter")
        return _detail(request, survey, bound={"letter_form": form}, status=400)
    messages.error(request, _("Unknown action."))
    return HttpResponseRedirect(back)


@login_required
def survey_results(request, pk: int):
    """The results (客户满意率统计表): ?format=html (print view), pdf or xlsx."""
    survey = _survey(request, pk)
    fmt = request.GET.get("format") or "html"
    if fmt not in ("html", "pdf", "xlsx"):
        raise Http404
    return survey_reports.results_response(request, survey, fmt=fmt)


@login_required
def survey_letter(request, pk: int):
    """The open letter (公开信) as a print view or PDF."""
    survey = _survey(request, pk)
    letter = selectors.latest_letter(survey)
    if letter is None:
        raise Http404
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    return survey_reports.letter_response(request, survey, letter, fmt=fmt)
