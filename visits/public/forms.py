"""The residents' forms (no login): the repair report, the way back to a request, the rating.
Short limits everywhere; photos checked by their content (visits.public.photos)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propserv.phones import PHONE_RE
from tickets.models import RepairCategory
from visits.forms import DATETIME, unit_of
from visits.public import photos


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,image/heic,image/heif,.heic,.heif"}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    """The resident's repair report (no login). Short limits everywhere; a honeypot field that
    people never see and robots fill in."""

    unit_code = forms.CharField(
        label=_("Your unit"),
        max_length=32,
        help_text=_("Building-entrance-room, e.g. 3-2-1502."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    name = forms.CharField(label=_("Your name"), max_length=64)
    phone = forms.RegexField(
        label=_("Mobile phone"),
        regex=PHONE_RE,
        max_length=20,
        error_messages={"invalid": _("Enter an 11-digit mobile number or a landline.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    category = forms.ModelChoiceField(
        label=_("What is wrong"), queryset=None, empty_label=_("Choose…")
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        min_length=4,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = MultipleFileField(
        label=_("Photos (up to 3, JPEG/PNG/HEIC, 5 MB each)"), required=False
    )
    preferred_visit_at = forms.DateTimeField(
        label=_("When may we come?"), required=False, widget=DATETIME
    )
    # The honeypot: hidden from people by CSS and aria-hidden; anything in it means a robot.
    website = forms.CharField(required=False, max_length=200, label=_("Leave this empty"))
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate = estate
        self.fields["category"].queryset = RepairCategory.objects.filter(
            estate=estate, active=True
        ).order_by("sort_order", "name")

    def clean_unit_code(self):
        return unit_of(self.estate, self.cleaned_data["unit_code"])

    def clean_photos(self):
        return photos.clean_photos(self.cleaned_data.get("photos") or [])

    def clean_preferred_visit_at(self):
        when = self.cleaned_data.get("preferred_visit_at")
        if when is not None:
            now = timezone.now()
            if when < now - dt.timedelta(minutes=5):
                raise ValidationError(_("Choose a time from now on."))
            if when > now + dt.timedelta(days=60):
                raise ValidationError(_("Choose a time within the next two months."))
        return when

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


class TrackLookupForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=12)
    phone = forms.CharField(label=_("The phone number you gave"), max_length=20)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper().replace(" ", "")


class RatingForm(forms.Form):
    satisfaction = forms.TypedChoiceField(coerce=int, choices=[(i, str(i)) for i in range(1, 6)])
    comment = forms.CharField(max_length=500, required=False)
