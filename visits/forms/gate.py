"""Forms of the gate and the lobby: visitors, the tenant directory, documents and parcels."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from visits.forms.rentals import UnitCodeMixin
from visits.models import OfficeTenant, Parcel


class DestinationMixin:
    """A unit code or a company of the directory (`self.estate` set by the view)."""

    def clean_unit(self):
        if not self.cleaned_data.get("unit", "").strip():
            return None
        return UnitCodeMixin.clean_unit(self)

    def clean_company(self):
        name = self.cleaned_data.get("company", "").strip()
        if not name:
            return None
        company = OfficeTenant.objects.filter(
            estate=self.estate, active=True, company__iexact=name
        ).first()
        if company is None:
            raise ValidationError(
                _("%(name)s is not in the tenant directory: ask the visitor to check.")
                % {"name": name}
            )
        return company

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("unit") is None and data.get("company") is None:
            raise ValidationError(_("Say which unit or company the visitor is for."))
        return data


class VisitorForm(DestinationMixin, forms.Form):
    name = forms.CharField(label=_("Visitor"), max_length=64)
    people = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=50, initial=1)
    id_last4 = forms.CharField(label=_("ID card, last 4"), max_length=4, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=32, required=False)
    company = forms.CharField(label=_("Company"), max_length=100, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    host_name = forms.CharField(label=_("Host called"), max_length=64)
    host_agreed = forms.BooleanField(label=_("Host called and agreed"), required=False)

    def __init__(self, *args, estate=None, **kwargs):
        self.estate = estate
        super().__init__(*args, **kwargs)


class DirectoryForm(UnitCodeMixin, forms.Form):
    company = forms.CharField(label=_("Company"), max_length=100)
    floor = forms.IntegerField(label=_("Floor"), min_value=-5, max_value=200)
    unit = forms.CharField(label=_("Unit"), max_length=32)
    reception_phone = forms.CharField(
        label=_("Company's reception phone"), max_length=20, required=False
    )

    def __init__(self, *args, estate=None, **kwargs):
        self.estate = estate
        super().__init__(*args, **kwargs)


class ParcelForm(DestinationMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Parcel.Kind.choices)
    description = forms.CharField(label=_("What was left"), max_length=200)
    for_name = forms.CharField(label=_("For"), max_length=64)
    unit = forms.CharField(label=_("Unit"), max_length=32, required=False)
    company = forms.CharField(label=_("Company"), max_length=100, required=False)
    left_by = forms.CharField(label=_("Left by"), max_length=64)

    def __init__(self, *args, estate=None, **kwargs):
        self.estate = estate
        super().__init__(*args, **kwargs)


class ForwardForm(forms.Form):
    to = forms.CharField(label=_("Forwarded to"), max_length=100)


class CollectForm(forms.Form):
    collected_by = forms.CharField(label=_("Collected by"), max_length=64)
