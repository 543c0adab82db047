"""Forms of the information relay, common-area patrols and title certificates (shape only; the
services decide)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from propserv.models import Department
from visits.models import RelayItem, TitleCertificate


class RelayReportForm(forms.Form):
    summary = forms.CharField(
        label=_("What was reported"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reporter = forms.ChoiceField(label=_("Reported by"), choices=RelayItem.Reporter.choices)
    caller_name = forms.CharField(label=_("Reporter's name"), max_length=64, required=False)
    caller_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    unit_code = forms.CharField(label=_("Unit"), max_length=32, required=False)
    location = forms.CharField(label=_("Place"), max_length=120, required=False)
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)


class RouteForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)


class ExpectedForm(forms.Form):
    expected_on = forms.DateField(
        label=_("Expected completion"), widget=forms.DateInput(attrs={"type": "date"})
    )
    resident_told = forms.BooleanField(label=_("The reporter has been told"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DepartmentHeadForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)
    head = forms.ModelChoiceField(
        label=_("Department head"), queryset=get_user_model().objects.none()
    )

    def __init__(self, *args, estate=None, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True, staff__estates=estate)
        self.fields["head"].queryset = users.order_by("username")


class PatrolPlaceForm(forms.Form):
    name = forms.CharField(label=_("Place"), max_length=100)
    look_at = forms.CharField(label=_("What to check"), max_length=200, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)


class TitleAdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=TitleCertificate.Stage.choices[1:])
    on = forms.DateField(label=_("On"), widget=forms.DateInput(attrs={"type": "date"}))


class TitleImportForm(forms.Form):
    file = forms.FileField(label=_("List of owners paid in full (CSV or XLSX: unit, name)"))
