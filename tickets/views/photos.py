"""A repair's photos for staff: the resident's from the report form and the technician's
before and after the work. Photos are confidential: served through this view to the staff of the
repair's estate only, never from a public media URL (docs/domain.md, Confidentiality)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propserv.access import works_for
from propserv.web import attempt, safe_next
from tickets.forms import repairs as f
from tickets.models import RepairPhoto
from tickets.selectors import repairs as selectors
from tickets.services import repairs as services


@login_required
def repair_photo(request, pk: int, photo_pk: int):
    repair = get_object_or_404(selectors.repairs_for(request.user), pk=pk)
    if not works_for(request.user, repair.estate_id):
        raise Http404
    photo = get_object_or_404(RepairPhoto, repair=repair, pk=photo_pk)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def repair_photo_upload(request, pk: int):
    repair = get_object_or_404(selectors.repairs_for(request.user), pk=pk)
    back = safe_next(request, request.POST.get("next"), repair.get_absolute_url())
    form = f.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return HttpResponseRedirect(back)
    ok, _photo = attempt(
        request,
        services.repair_add_photo,
        repair_id=repair.pk,
        kind=form.cleaned_data["kind"],
        upload=form.cleaned_data["image"],
        actor=request.user,
    )
    if ok:
        messages.success(request, _("%(number)s: photo added.") % {"number": repair.number})
    return HttpResponseRedirect(back)
