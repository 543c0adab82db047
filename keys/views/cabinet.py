"""The cabinet: search, a key's page, registering and moving keys, tag labels with QR codes."""

from __future__ import annotations

from io import BytesIO

import qrcode
import qrcode.image.svg
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from keys import selectors, services
from keys.forms import KeyRegisterForm, MoveForm, SearchForm
from keys.models import Key
from keys.views.common import done, form_page, keys_view
from propserv.phones import phone_for
from propserv.roles import KEY_DESK, has_role
from propserv.web import attempt, estates_for


@keys_view()
def cabinet(request):
    form = SearchForm(request.GET or None)
    q = state = ""
    if form.is_valid():
        q, state = form.cleaned_data["q"], form.cleaned_data["state"]
        exact = selectors.exact_tag(request.user, q)
        if exact is not None and request.GET.get("go") != "list":
            return HttpResponseRedirect(exact.get_absolute_url())
    now = timezone.now()
    keys = list(selectors.cabinet(request.user, q, state)[:300])
    return render(
        request,
        "keys/cabinet.html",
        {
            "form": form,
            "q": q,
            "keys": keys,
            "now": now,
            "counts": selectors.cabinet_counts(request.user, now),
            "overdue": list(selectors.overdue_loans(request.user, now)[:20]),
            "can_desk": has_role(request.user, KEY_DESK),
            "multi_estate": estates_for(request.user).count() > 1,
        },
    )


@keys_view()
def by_tag(request, code):
    """Where a scanned QR code lands."""
    key = get_object_or_404(selectors.visible_keys(request.user), tag_code=code.strip().upper())
    return HttpResponseRedirect(key.get_absolute_url())


@keys_view()
def key_detail(request, pk):
    key = get_object_or_404(selectors.visible_keys(request.user), pk=pk)
    now = timezone.now()
    ctx = {"key": key, "now": now, **selectors.key_page(key)}
    loan = ctx["loan"]
    ctx["loan_phone"] = phone_for(request.user, loan.borrower_phone) if loan else ""
    ctx["overdue"] = loan.is_overdue(now) if loan else False
    ctx["actions"] = services.allowed_actions(key, request.user)
    return render(request, "keys/key_detail.html", ctx)


@keys_view(KEY_DESK)
def key_register(request):
    form = KeyRegisterForm(request.POST or None, estates=estates_for(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, key = attempt(
            request,
            services.key_register,
            form=form,
            estate=d["estate"],
            kind=d["kind"],
            unit=d["unit"],
            area=d["area"],
            count=d["count"],
            slot=d["slot"],
            description=d["description"],
            tag_code=d["tag_code"],
            actor=request.user,
        )
        if ok:
            return done(
                request,
                key.get_absolute_url(),
                _("Key %(tag)s is in slot %(slot)s.") % {"tag": key.tag_code, "slot": key.slot},
            )
    return form_page(request, "keys/form.html", {"form": form, "title": _("Register a key")}, form)


@keys_view(KEY_DESK)
def key_move(request, pk):
    key = get_object_or_404(selectors.visible_keys(request.user), pk=pk)
    form = MoveForm(request.POST or None, initial={"slot": key.slot})
    if request.method == "POST" and form.is_valid():
        ok, moved = attempt(
            request,
            services.key_move,
            form=form,
            key=key,
            slot=form.cleaned_data["slot"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        if ok:
            return done(
                request,
                key.get_absolute_url(),
                _("Key %(tag)s moved to slot %(slot)s.")
                % {"tag": moved.tag_code, "slot": moved.slot},
            )
    return form_page(
        request,
        "keys/form.html",
        {"form": form, "key": key, "title": _("Move to another slot")},
        form,
    )


def qr_svg(data: str) -> str:
    """An inline SVG QR code of `data` (generated here from a URL we built: safe to inline)."""
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = BytesIO()
    img.save(out)
    svg = out.getvalue().decode()
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 – our own SVG, no XML declaration  # nosec B308 B703 - qrcode's SVG of our own URL


@keys_view()
def labels(request, pk=None):
    """Printable tag labels with a QR code that opens the key."""
    keys = selectors.visible_keys(request.user)
    if pk is not None:
        keys = [get_object_or_404(keys, pk=pk)]
    else:
        ids = [int(i) for i in request.GET.getlist("id") if i.isdigit()]
        keys = keys.filter(pk__in=ids) if ids else keys.filter(state__in=Key.HELD_STATES)
        keys = list(keys.order_by("slot", "tag_code")[:200])
    items = [
        (key, qr_svg(request.build_absolute_uri(reverse("keys:tag", args=[key.tag_code]))))
        for key in keys
    ]
    return render(request, "keys/labels.html", {"items": items})
