"""The resident's way back to a request: a signed tracking link, and each repair status and event
in the resident's words."""

from __future__ import annotations

from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from tickets.models import Repair

TRACK_SALT = "visits.track"

# What each repair status means, in the resident's words.
PLAIN_STATUS = {
    Repair.Status.RECEIVED: gettext_lazy("We have your request and are sending a technician."),
    Repair.Status.DISPATCHED: gettext_lazy("A technician is on the way."),
    Repair.Status.ON_SITE: gettext_lazy("The technician is with you."),
    Repair.Status.IN_PROGRESS: gettext_lazy("The work is in progress."),
    Repair.Status.ON_HOLD: gettext_lazy("The work is paused until the time agreed with you."),
    Repair.Status.COMPLETED: gettext_lazy("The work is done. Please tell us how it went."),
    Repair.Status.CALLED_BACK: gettext_lazy("Done, and your feedback is recorded. Thank you."),
    Repair.Status.CLOSED: gettext_lazy("Done, and your feedback is recorded. Thank you."),
    Repair.Status.CANCELLED: gettext_lazy("This request was cancelled."),
    Repair.Status.REOPENED: gettext_lazy("We are handling this again."),
}
PLAIN_EVENTS = {
    "created": gettext_lazy("We received your request."),
    "dispatched": gettext_lazy("A technician was assigned: %(note)s."),
    "arrived": gettext_lazy("The technician arrived."),
    "started": gettext_lazy("Work started."),
    "on_hold": gettext_lazy("Work paused: %(note)s."),
    "resumed": gettext_lazy("Work resumed."),
    "quoted": gettext_lazy("A price from the price list was quoted: %(note)s."),
    "consent": gettext_lazy("The price was agreed."),
    "completed": gettext_lazy("The work was completed."),
    "called_back": gettext_lazy("Your feedback was recorded."),
    "closed": gettext_lazy("The request was closed."),
    "reopened": gettext_lazy("The request was reopened to be handled again."),
    "cancelled": gettext_lazy("The request was cancelled: %(note)s."),
}


def tracking_token(repair: Repair) -> str:
    return signing.Signer(salt=TRACK_SALT).sign(repair.tracking_code)


def tracking_url(repair: Repair) -> str:
    return reverse("visits:track", args=[tracking_token(repair)])


def repair_from_token(token: str) -> Repair:
    try:
        code = signing.Signer(salt=TRACK_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    return get_object_or_404(
        Repair.objects.select_related("estate", "unit", "category", "technician"),
        tracking_code=code,
    )
