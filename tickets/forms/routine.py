"""Forms of the routine-callback screens (docs/domain.md, Callbacks): plan the period's visits,
plan a paid-service or emergency callback, the register of key households, the tally's day."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import Callback
from tickets.services.routine import PLANNED_KINDS


class GenerateVisitsForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Visits"),
        choices=[
            (Callback.Kind.ADMIN_VISIT, _("Administrators' visits for this quarter")),
            (Callback.Kind.HEAD_VISIT, _("Office head's visits for this year")),
        ],
    )


class PlanCallbackForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k, Callback.Kind(k).label) for k in PLANNED_KINDS]
    )
    unit = forms.CharField(label=_("Unit"), max_length=32, help_text=_("e.g. 3-2-1502"))
    topic = forms.CharField(label=_("About"), max_length=200)
    due_on_date = forms.DateField(
        label=_("Call by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Emergency assistance: leave empty for the estate's limit."),
    )


class KeyHouseholdForm(forms.Form):
    unit = forms.CharField(label=_("Unit"), max_length=32, help_text=_("e.g. 3-2-1502"))
    reason = forms.CharField(label=_("Why it is a key household"), max_length=200)


class KeyHouseholdRemoveForm(forms.Form):
    key_household = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why it comes off the register"), max_length=200)


class TallyForm(forms.Form):
    day = forms.DateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
