"""The residents' side (no login): the repair report form, the tracking page and its one-tap rating.

Protection: CSRF on every form; rate limits per IP and per phone (5 a minute, 20 an hour, counted
in the Redis cache) answered with a friendly 429 page; a honeypot field; length limits on every
field and on the whole request; photos checked by content (visits.public.photos); every text shown
through Django's autoescaping. Residents reach their repair only through a signed link (or the
tracking code together with the phone number they gave).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Deadline, Estate
from tickets import rules as ticket_rules
from tickets.models import Callback, Repair
from visits import rules
from visits.public import forms as f
from visits.public.tracking import PLAIN_EVENTS, PLAIN_STATUS, repair_from_token, tracking_url
from visits.services import web_reports

RATES = ("5/m", "20/h")
# Three 5 MB photos plus the text fields; anything larger is refused before it is parsed.
MAX_REQUEST_BYTES = 16 * 1024 * 1024
SUBMISSION_TTL = 600


def client_ip(request) -> str:
    """The resident's address. Behind our reverse proxy (BEHIND_PROXY=1 sets
    SECURE_PROXY_SSL_HEADER) every request comes from the proxy, which appends the real client
    address to X-Forwarded-For: the last entry is the one we can trust."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")


def _limited(request, group: str, value: str | None = None) -> bool:
    """Count this request against the per-IP (or per-`value`) limits; True once over either."""
    over = False
    key = value if value is not None else client_ip(request)
    kind = "value" if value is not None else "ip"
    for rate in getattr(settings, "VISITS_PUBLIC_RATES", RATES):
        over |= is_ratelimited(
            request,
            group=f"{group}:{kind}",
            key=lambda _group, _request: key,
            rate=rate,
            increment=True,
        )
    return over


def _too_many(request, estate=None):
    return render(request, "visits/public/limited.html", {"estate": estate}, status=429)


def _hours(estate) -> dict:
    settings_row = estate.service_settings
    now = timezone.localtime()
    return {
        "out_of_hours": rules.is_out_of_hours(
            now, settings_row.calling_hours_start, settings_row.calling_hours_end
        ),
        "hours_start": settings_row.calling_hours_start,
        "hours_end": settings_row.calling_hours_end,
    }


def choose_estate(request):
    estates = list(Estate.objects.order_by("name"))
    if len(estates) == 1:
        return HttpResponseRedirect(reverse("visits:report", args=[estates[0].code]))
    return render(request, "visits/public/choose.html", {"estates": estates})


@require_http_methods(["GET", "POST"])
def report(request, code: str):
    estate = get_object_or_404(Estate.objects.select_related("settings_row"), code=code)
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest(_("Bad request."))
        if length > MAX_REQUEST_BYTES:
            return render(request, "visits/public/too_big.html", {"estate": estate}, status=413)
        if _limited(request, "report"):
            return _too_many(request, estate)
        form = f.ReportForm(request.POST, request.FILES, estate=estate)
        if form.is_robot:
            # Robots get a page that looks like success and nothing is created.
            return render(request, "visits/public/received.html", {"estate": estate})
        if form.is_valid():
            data = form.cleaned_data
            if _limited(request, "report-phone", data["phone"]):
                return _too_many(request, estate)
            submission = (data.get("submission") or "")[:64]
            done_key = f"visits:submission:{submission}" if submission else ""
            if done_key and (repair_pk := cache.get(done_key)):
                repair = Repair.objects.filter(pk=repair_pk, estate=estate).first()
                if repair is not None:  # a double tap: the same report once
                    return HttpResponseRedirect(tracking_url(repair) + "?new=1")
            try:
                repair = web_reports.web_report_submit(
                    estate=estate,
                    unit=data["unit_code"],
                    category=data["category"],
                    name=data["name"],
                    phone=data["phone"],
                    description=data["description"],
                    photos=data["photos"],
                    preferred_visit_at=data["preferred_visit_at"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                if done_key:
                    cache.set(done_key, repair.pk, SUBMISSION_TTL)
                return HttpResponseRedirect(tracking_url(repair) + "?new=1")
        status = 400
        # A browser never re-sends a chosen file: say so rather than drop it silently.
        photos_dropped = bool(request.FILES.getlist("photos"))
    else:
        photos_dropped = False
        building = (request.GET.get("b") or "")[:16]
        form = f.ReportForm(
            estate=estate,
            initial={
                "unit_code": f"{building}-" if building else "",
                "submission": get_random_string(24),
            },
        )
        status = 200
    categories = list(form.fields["category"].queryset)
    return render(
        request,
        "visits/public/report.html",
        {
            "estate": estate,
            "form": form,
            "urgent_categories": [c for c in categories if c.urgent],
            "photos_dropped": photos_dropped,
            **_hours(estate),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def track_lookup(request):
    """The tracking code and the phone number given: the way back without the link."""
    form = f.TrackLookupForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "track"):
            return _too_many(request)
        if form.is_valid():
            repair = Repair.objects.filter(
                tracking_code=form.cleaned_data["code"],
                reporter_phone=form.cleaned_data["phone"].strip(),
            ).first()
            if repair is not None:
                return HttpResponseRedirect(tracking_url(repair))
            form.add_error(None, _("No request matches this code and phone number."))
    return render(
        request,
        "visits/public/track_lookup.html",
        {"form": form, "estate": _known_estate(request)},
        status=400 if form.errors else 200,
    )


def _known_estate(request):
    """The estate the resident came from (the report form's link names it), or the only one."""
    code = (request.GET.get("estate") or "")[:32]
    if code:
        return Estate.objects.filter(code=code).first()
    only = list(Estate.objects.all()[:2])
    return only[0] if len(only) == 1 else None


def _timeline(repair: Repair) -> list[dict]:
    rows = []
    for event in repair.events.all():
        text = PLAIN_EVENTS.get(event.action)
        if text is None:
            continue
        # The event's parameters in the resident's language, then what a person typed.
        said = " · ".join(str(part) for part in (event.detail, event.note) if part)
        rows.append({"at": event.at, "text": str(text) % {"note": said}})
    return rows


def track(request, token: str):
    repair = repair_from_token(token)
    arrival = (
        Deadline.objects.for_subject(repair)
        .filter(kind=ticket_rules.ARRIVAL)
        .order_by("-started_at")
        .first()
    )
    can_rate = (
        rules.rating_counts_as_callback(repair.status)
        and Callback.objects.filter(repair=repair, status=Callback.Status.PENDING).exists()
    )
    return render(
        request,
        "visits/public/track.html",
        {
            "repair": repair,
            "token": token,
            "estate": repair.estate,
            "plain_status": PLAIN_STATUS.get(repair.status, repair.get_status_display()),
            "timeline": _timeline(repair),
            "arrival": arrival,
            "can_rate": can_rate,
            "rated": request.GET.get("rated"),
            "new": request.GET.get("new") == "1",
            "technician": repair.technician.get_full_name() or repair.technician.username
            if repair.technician_id
            else "",
            **_hours(repair.estate),
        },
    )


@require_POST
def track_rate(request, token: str):
    repair = repair_from_token(token)
    if _limited(request, "rate"):
        return _too_many(request, repair.estate)
    form = f.RatingForm(request.POST)
    if not form.is_valid():
        return HttpResponseRedirect(reverse("visits:track", args=[token]))
    try:
        web_reports.web_rate_repair(
            repair=repair,
            satisfaction=form.cleaned_data["satisfaction"],
            comment=form.cleaned_data["comment"],
        )
    except (InvalidTransition, NotAllowed, ValidationError):
        pass  # already rated, or nothing to rate: the page shows the current state
    outcome = "sorry" if form.cleaned_data["satisfaction"] <= 2 else "thanks"
    return HttpResponseRedirect(reverse("visits:track", args=[token]) + f"?rated={outcome}")
