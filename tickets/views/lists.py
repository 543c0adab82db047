"""The drill-down lists every dashboard figure links to: all repairs, complaints (its filters
live on the complaint list page, tickets.views.complaints) and all callbacks, with their XLSX and
CSV downloads (`?format=xlsx` / `?format=csv`, the same filters). For the managers and the desk
(`LIST_ROLES`); a value the filter form cannot use is said on the page and that filter left out.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone

from propserv.roles import OFFICE, has_role
from propserv.web import form_errors_to_messages
from tickets.forms import lists as forms
from tickets.reports import lists as exports
from tickets.selectors import lists as selectors
from tickets.selectors.timeliness import LATE, ON_TIME, OVERDUE, PENDING, VERDICT_LABELS

# The managers (supervisor, project manager, quality, GM) and the desk; not the field staff.
LIST_ROLES = OFFICE
PAGE_SIZE = 50
EXPORT_FORMATS = ("xlsx", "csv")


def check_list_roles(request) -> None:
    if not has_role(request.user, LIST_ROLES):
        raise PermissionDenied


def bound_filters(request, form) -> dict:
    """The filters that passed; what did not is said once at the top of the page."""
    if not form.is_bound:
        return {}
    filters = form.filters()
    if form.errors:
        form_errors_to_messages(request, form)
    return filters


def filter_params(request) -> QueryDict:
    """The query's filters: everything but the page number and the download format."""
    query: QueryDict = request.GET.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    return query


def page_of(request, queryset, now, estate_ids) -> dict:
    """One page of `queryset` without counting it all (a COUNT over a million rows costs more
    than the page): one row more than the page says whether there is a next one."""
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    rows = selectors.rows(queryset, start, start + PAGE_SIZE + 1, now, estate_ids)
    base = filter_params(request).urlencode()
    prefix = f"?{base}&" if base else "?"
    return {
        "rows": rows[:PAGE_SIZE],
        "number": number,
        "first": start + 1 if rows else 0,
        "last": start + min(len(rows), PAGE_SIZE),
        "previous_url": f"{prefix}page={number - 1}" if number > 1 else "",
        "next_url": f"{prefix}page={number + 1}" if len(rows) > PAGE_SIZE else "",
        "export_prefix": prefix,
    }


# A verdict as the lists show it: (pill class, label); the words say it, not the colour alone.
PILL_CLASS = {
    ON_TIME: "state-green",
    LATE: "state-red",
    OVERDUE: "state-red",
    PENDING: "state-amber",
}


def pill(verdict: str) -> tuple[str, str]:
    if not verdict:
        return "", ""
    return PILL_CLASS[verdict], str(VERDICT_LABELS[verdict])


def with_pills(rows: list, *fields: str) -> list:
    """Each row's verdicts as `<field>_pill` (rendering an include per cell costs more than
    the page's queries)."""
    for row in rows:
        for field in fields:
            setattr(row, f"{field}_pill", pill(getattr(row, field, "")))
    return rows


def list_context(request, form, queryset, now, estate_ids, *pills: str) -> dict:
    page = page_of(request, queryset, now, estate_ids)
    with_pills(page["rows"], *pills)
    return {"form": form, "page": page, "filtered": bool(form.is_bound)}


def wanted_format(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in EXPORT_FORMATS else None


def filtered_list(request, form_class, select, export, template: str, *pills: str):
    """A drill-down list: the filter form over the user's estates, then one page of rows, or
    the whole filtered list as XLSX/CSV (`?format=`)."""
    check_list_roles(request)
    now = timezone.now()
    params = filter_params(request)
    form = form_class(params or None, user=request.user)
    filters = bound_filters(request, form)
    queryset = select(request.user, filters, now)
    estate_ids = selectors.estate_ids_in(request.user, filters)
    fmt = wanted_format(request)
    if fmt:
        return export(queryset, fmt=fmt, now=now, estate_ids=estate_ids)
    context = list_context(request, form, queryset, now, estate_ids, *pills)
    return render(request, template, {**context, "now": now})


@login_required
def repair_list(request):
    return filtered_list(
        request,
        forms.RepairListForm,
        selectors.repair_list,
        exports.repairs_response,
        "tickets/lists/repairs.html",
        "arrival_verdict",
        "completion_verdict",
    )


@login_required
def callback_list(request):
    return filtered_list(
        request,
        forms.CallbackListForm,
        selectors.callback_list,
        exports.callbacks_response,
        "tickets/lists/callbacks.html",
        "timeliness",
    )
