"""The dashboard pages: the page (managers' home), its cards fragment (refreshed every 10 s by
static/propserv/dashboard.js; without JavaScript the page simply is not live) and the CSV/XLSX
export of the same figures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from propserv.dashboard import cards as dash
from propserv.dashboard.period import CHOICES, choose
from propserv.exports import XLSX_TYPE, attachment, sections_csv_bytes, workbook_bytes

REFRESH_SECONDS = 10


def _context(request) -> dict:
    if not dash.may_view(request.user):
        raise PermissionDenied
    chosen = choose(request.GET)
    estate_ids, estate, estates = dash.scope(request.user, request.GET.get("estate"))
    cards = dash.cards_for(request.user, estate_ids, chosen.period)
    query = {**chosen.params, **({"estate": estate.pk} if estate else {})}
    return {
        "chosen": chosen,
        "choices": CHOICES,
        "estate": estate,
        "estates": estates,
        "cards": [dash.card_view(c) for c in cards],
        "raw_cards": cards,
        "query": urlencode(query),
        "refresh_seconds": REFRESH_SECONDS,
        "generated_at": timezone.localtime(),
    }


@login_required
def dashboard(request):
    context = _context(request)
    if context["chosen"].error:
        messages.error(request, context["chosen"].error)
    return render(request, "dashboard/page.html", context)


@login_required
def dashboard_cards(request):
    """The cards alone: what the page's script swaps in."""
    return render(request, "dashboard/_cards.html", _context(request))


@login_required
def dashboard_export(request):
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    context = _context(request)
    chosen, estate = context["chosen"], context["estate"]
    scope_name = estate.name if estate else _("All my estates")
    preamble = [
        _("Dashboard: %(scope)s") % {"scope": scope_name},
        _("Period: %(first)s to %(last)s")
        % {"first": chosen.first_day.isoformat(), "last": chosen.last_day.isoformat()},
    ]
    tables = dash.export_tables(context["raw_cards"], preamble)
    name = f"dashboard-{estate.code if estate else 'all'}-{chosen.first_day:%Y%m%d}"
    if fmt == "csv":
        return attachment(
            sections_csv_bytes(tables),
            content_type="text/csv; charset=utf-8",
            filename=f"{name}.csv",
        )
    return attachment(workbook_bytes(tables), content_type=XLSX_TYPE, filename=f"{name}.xlsx")
