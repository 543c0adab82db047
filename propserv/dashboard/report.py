"""The printable monthly service report of one estate for the owners' committee: every card's
figures beside the month before and the target, its tables and its charts, as an HTML print view
and a PDF (`propserv.documents`)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.dashboard import cards as dash
from propserv.dashboard.period import month_chosen
from propserv.documents import ChartBlock, Document, Grid, Heading, Text, document_response


def build(user, estate, first: dt.date) -> Document:
    chosen = month_chosen(first)
    cards = dash.cards_for(user, [estate.pk], chosen.period)
    document = Document(
        title=_("Monthly service report"),
        filename=f"service-report-{estate.code}-{first:%Y-%m}",
        subtitle=_("%(estate)s · %(month)s") % {"estate": estate.name, "month": f"{first:%Y-%m}"},
    )
    blocks = document.blocks
    blocks.append(
        Text(
            _("Period: %(first)s to %(last)s, beside the month before. Printed %(now)s.")
            % {
                "first": chosen.first_day.isoformat(),
                "last": chosen.last_day.isoformat(),
                "now": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            }
        )
    )
    for card in cards:
        view = dash.card_view(card)
        blocks.append(Heading(view["title"]))
        blocks.append(
            Grid(
                [_("Figure"), _("This month"), _("Month before"), _("Target"), ""],
                [
                    [
                        k["label"],
                        k["value_text"],
                        k["previous_text"] if k["previous"] is not None else "",
                        k.get("target_text", ""),
                        _("Below target") if k["misses_target"] else "",
                    ]
                    for k in view["kpis"]
                ],
            )
        )
        for table in view["tables"]:
            if not table["cells"]:
                continue
            blocks.append(Text(table["title"]))
            blocks.append(
                Grid(
                    [c["heading"] for c in table["columns"]],
                    [["–" if v is None else v for v in row["values"]] for row in table["cells"]],
                )
            )
        blocks.extend(ChartBlock(chart) for chart in card.charts)
    return document


@login_required
def monthly_report(request, estate_id: int, month: str):
    if not dash.may_view(request.user):
        raise PermissionDenied
    estate_ids, estate, _all = dash.scope(request.user, str(estate_id))
    if estate is None:
        raise Http404
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise Http404 from exc
    fmt = request.GET.get("format", "html")
    if fmt not in ("html", "pdf"):
        fmt = "html"
    return document_response(request, build(request.user, estate, first), fmt=fmt)
