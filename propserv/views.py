from __future__ import annotations

import datetime as dt
import time

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from propserv.forms import CalendarDayForm, ImportForm
from propserv.imports import ImportFailed, import_rows, read_table
from propserv.models import Notification
from propserv.notifications import mark_read
from propserv.roles import MANAGERS, has_role
from propserv.tasks import HEARTBEAT_KEY
from propserv.web import estates_for
from propserv.workdays import (
    WorkCalendar,
    calendar_confirm_year,
    calendar_set_day,
    years_needing_confirmation,
)


@login_required
def home(request):
    """Managers (supervisor, project manager, quality, GM) land on their dashboard; everyone
    else — the front desk first — keeps the estate cards and their own boards."""
    if has_role(request.user, MANAGERS):
        return HttpResponseRedirect(reverse("dashboard"))
    estates = estates_for(request.user).order_by("name")
    return render(request, "propserv/home.html", {"estates": estates})


def livez(request):
    """For a load balancer: this web server can serve requests (it answers and its database
    does). Redis or beat being down does not take it out of rotation — requests still work then;
    /healthz reports those for monitoring."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    except Exception as exc:
        return JsonResponse({"status": "down", "database": exc.__class__.__name__}, status=503)
    return JsonResponse({"status": "ok"})


def healthz(request):
    """Database, Redis and beat heartbeat as JSON; 503 when any is down."""
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
    beat_age = None
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
        checks["redis"] = {"ok": True}
        last = cache.get(HEARTBEAT_KEY)
        beat_age = None if last is None else round(time.time() - float(last), 1)
    except Exception as exc:
        checks["redis"] = {"ok": False, "error": exc.__class__.__name__}
    max_age = settings.BEAT_HEARTBEAT_SECONDS * 3 + 5
    checks["beat"] = {
        "ok": beat_age is not None and beat_age <= max_age,
        "last_heartbeat_age_s": beat_age,
    }
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if ok else "down", **checks}, status=200 if ok else 503)


@login_required
def notifications(request):
    notes = Notification.objects.filter(recipient=request.user)[:100]
    return render(request, "propserv/notifications.html", {"notes": notes})


@login_required
@require_POST
def notifications_read(request):
    mark_read(request.user)
    return HttpResponseRedirect(reverse("notifications"))


# Column headings of the month tables, Monday first as in China.
WEEKDAY_HEADINGS = [
    pgettext_lazy("weekday heading", "Mo"),
    pgettext_lazy("weekday heading", "Tu"),
    pgettext_lazy("weekday heading", "We"),
    pgettext_lazy("weekday heading", "Th"),
    pgettext_lazy("weekday heading", "Fr"),
    pgettext_lazy("weekday heading", "Sa"),
    pgettext_lazy("weekday heading", "Su"),
]


def _calendar_year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2200 else None


class CalendarPage(LoginRequiredMixin, View):
    """A year at a glance; provisional years show a banner. Administrators (is_staff) confirm a
    provisional year or change single days here (both recompute open deadlines)."""

    template_name = "propserv/calendar.html"

    def get(self, request):
        year = _calendar_year(request.GET.get("year")) or timezone.localdate().year
        return self.render_year(request, year, CalendarDayForm())

    def render_year(self, request, year: int, day_form, status: int = 200):
        cal = WorkCalendar()
        months = []
        for m in range(1, 13):
            first = dt.date(year, m, 1)
            days = []
            d = first
            while d.month == m:
                days.append(cal.info(d))
                d += dt.timedelta(days=1)
            months.append({"month": m, "lead": first.weekday(), "days": days})
        provisional = any(day.provisional for day in months[0]["days"])
        return render(
            request,
            self.template_name,
            {
                "year": year,
                "months": months,
                "weekdays": WEEKDAY_HEADINGS,
                "provisional": provisional,
                "unconfirmed": years_needing_confirmation().filter(year=year).exists(),
                "day_form": day_form,
            },
            status=status,
        )

    def post(self, request):
        if not request.user.is_staff:
            messages.error(request, _("Only administrators may change the calendar."))
            return HttpResponseRedirect(reverse("calendar"))
        if "date" in request.POST:
            return self.set_day(request)
        year = _calendar_year(request.POST.get("year"))
        if year is None:
            messages.error(request, _("Choose a year."))
            return HttpResponseRedirect(reverse("calendar"))
        calendar_confirm_year(year=year, actor=request.user)
        messages.success(
            request,
            _("The %(year)s calendar is confirmed; open deadlines were recomputed.")
            % {"year": year},
        )
        return HttpResponseRedirect(f"{reverse('calendar')}?year={year}")

    def set_day(self, request):
        form = CalendarDayForm(request.POST)
        if not form.is_valid():
            year = _calendar_year(request.POST.get("year")) or timezone.localdate().year
            return self.render_year(request, year, form, status=400)
        date, kind = form.cleaned_data["date"], form.cleaned_data["kind"]
        calendar_set_day(
            date=date,
            kind=None if kind == "normal" else kind,
            name=form.cleaned_data["name"],
            actor=request.user,
        )
        messages.success(
            request,
            _("%(date)s is saved; open deadlines were recomputed.") % {"date": date.isoformat()},
        )
        return HttpResponseRedirect(f"{reverse('calendar')}?year={date.year}")


class ImportPage(LoginRequiredMixin, UserPassesTestMixin, View):
    """Upload units or residents as CSV/XLSX: every row checked first, nothing saved on any error.
    For administrators (is_staff) only; they import into the estates they work for."""

    template_name = "propserv/import.html"

    def test_func(self) -> bool:
        return self.request.user.is_staff

    def get(self, request):
        return render(request, self.template_name, {"form": ImportForm(user=request.user)})

    def post(self, request):
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            rows = read_table(form.cleaned_data["file"], form.cleaned_data["file"].name)
            count = import_rows(kind=form.cleaned_data["kind"], rows=rows, user=request.user)
        except ImportFailed as failed:
            return render(
                request, self.template_name, {"form": form, "errors": failed.errors}, status=400
            )
        messages.success(request, _("%(count)s rows imported.") % {"count": count})
        return HttpResponseRedirect(reverse("import"))
