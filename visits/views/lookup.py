"""The front desk's lookup: the type-ahead (JSON) and the one-box lookup page, built by
visits.selectors with the panels and lookup providers other apps registered."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from visits import selectors


@login_required
@require_GET
def lookup_json(request):
    """The type-ahead: residents matching ?q= (unit, name, phone, ticket number), as JSON."""
    q = request.GET.get("q", "")[:40]
    return JsonResponse({"results": selectors.typeahead(request.user, q)})


@login_required
def lookup(request):
    q = request.GET.get("q", "")[:40].strip()
    result = selectors.lookup(request.user, q) if q else None
    return render(request, "visits/lookup.html", {"q": q, "result": result})
