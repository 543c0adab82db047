"""Forms of the rental service and move-out (shape only; the services decide)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Resident
from propserv.phones import phone_validator

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0.01}


class UnitCodeMixin:
    """A typed unit code becomes the estate's unit (`self.estate` is set by the view)."""

    def clean_unit(self):
        code = self.cleaned_data["unit"].strip()
        unit = self.estate.units.filter(code=code).first() if self.estate else None
        if unit is None:
            raise ValidationError(_("There is no unit %(code)s in this estate.") % {"code": code})
        return unit


class ListingForm(UnitCodeMixin, forms.Form):
    unit = forms.CharField(label=_("Unit"), max_length=32)
    owner_name = forms.CharField(
        label=_("Owner"),
        max_length=64,
        required=False,
        help_text=_("When the unit has several owners."),
    )
    asking_rent = forms.DecimalField(label=_("Asking rent per month (¥)"), **MONEY)
    available_from = forms.DateField(label=_("Available from"), widget=DATE)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    contact_consent = forms.BooleanField(label=_("Owner agrees to share contacts"), required=False)
    by_attorney = forms.BooleanField(
        label=_("Owner abroad: let by the office under power of attorney"), required=False
    )
    attorney = forms.FileField(label=_("Power of attorney (PDF, JPEG or PNG)"), required=False)

    def __init__(self, *args, estate=None, **kwargs):
        self.estate = estate
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        unit = data.get("unit")
        if unit is None:
            return data
        owners = Resident.objects.current().filter(unit=unit, role=Resident.Role.OWNER)
        name = (data.pop("owner_name", "") or "").strip()
        if name:
            owners = owners.filter(name=name)
        found = list(owners[:2])
        if len(found) != 1:
            self.add_error(
                "owner_name",
                _("Name the owner of the unit.") if found else _("The unit has no such owner."),
            )
        else:
            data["owner"] = found[0]
        return data


class SeekerForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    phone = forms.CharField(label=_("Phone"), max_length=20, validators=[phone_validator])
    budget = forms.DecimalField(label=_("Budget per month (¥)"), **MONEY)
    needs = forms.CharField(label=_("Needs"), max_length=300, required=False)
    wanted_from = forms.DateField(label=_("Wanted from"), widget=DATE, required=False)


class ViewingForm(forms.Form):
    viewing_at = forms.DateTimeField(label=_("Viewing at"), widget=DATETIME)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)


class LeaseForm(forms.Form):
    tenant_name = forms.CharField(label=_("Tenant"), max_length=64)
    tenant_phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, validators=[phone_validator]
    )
    monthly_rent = forms.DecimalField(label=_("Rent per month (¥)"), **MONEY)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    document = forms.FileField(label=_("Signed lease (PDF, JPEG or PNG)"), required=False)


class MoveOutStartForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("Tenant"), queryset=Resident.objects.none())
    planned_on = forms.DateField(label=_("Moving out on"), widget=DATE)

    def __init__(self, *args, estate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = (
            Resident.objects.current()
            .filter(estate=estate, role=Resident.Role.TENANT)
            .select_related("unit")
            .order_by("unit__code", "name")
        )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MoveOutCompleteForm(forms.Form):
    moved_out_on = forms.DateField(label=_("Moved out on"), widget=DATE)
