"""Forms of the cabinet's other records: registering and moving keys, lost or damaged keys,
contractors, vacant-unit inspections."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.forms.common import EstateChoiceMixin, StaffChoiceField
from keys.models import Key, KeyIncident


class KeyRegisterForm(EstateChoiceMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Key.Kind.DEVELOPER, Key.Kind.DEVELOPER.label),
            (Key.Kind.COMMON, Key.Kind.COMMON.label),
        ],
        widget=forms.RadioSelect,
        initial=Key.Kind.DEVELOPER,
    )
    unit_code = forms.CharField(
        label=_("Unit code"), required=False, help_text=_("For a unit's key, e.g. 3-2-1502.")
    )
    area = forms.CharField(
        label=_("Common area"),
        required=False,
        max_length=100,
        help_text=_("For a common-area key, e.g. 3栋水泵房."),
    )
    count = forms.IntegerField(label=_("Keys in the bunch"), min_value=1, max_value=99, initial=1)
    slot = forms.CharField(label=_("Cabinet slot"), max_length=16)
    description = forms.CharField(label=_("What the bunch holds"), required=False, max_length=200)
    tag_code = forms.CharField(
        label=_("Tag code"),
        required=False,
        max_length=40,
        help_text=_("Leave empty to number it automatically."),
    )

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_estate_field(estates)

    def clean(self):
        data = super().clean()
        estate = data.get("estate")
        if data.get("kind") == Key.Kind.DEVELOPER and estate is not None:
            code = (data.get("unit_code") or "").strip()
            unit = estate.units.filter(code=code).first() if code else None
            if unit is None:
                self.add_error(
                    "unit_code", _("No unit %(code)s in this estate.") % {"code": code or "—"}
                )
            data["unit"] = unit
        else:
            data["unit"] = None
        return data


class MoveForm(forms.Form):
    slot = forms.CharField(label=_("New cabinet slot"), max_length=16)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("The key is"), choices=KeyIncident.Kind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(label=pgettext_lazy("keys", "What happened"), max_length=300)
    responsible_party = forms.CharField(
        label=_("Responsible party"),
        max_length=100,
        help_text=_("Who changes the lock and bears the cost."),
    )


class ConsentForm(forms.Form):
    consent_by = forms.CharField(label=_("Consent given by"), max_length=64)
    consent_how = forms.CharField(
        label=_("How"), max_length=200, help_text=_("e.g. signed the owner key register; by phone.")
    )


class LockChangeForm(forms.Form):
    lock_changed_by = forms.CharField(label=_("Lock changed by"), max_length=100)
    new_count = forms.IntegerField(label=_("New keys kept"), min_value=1, max_value=99, initial=1)
    new_slot = forms.CharField(
        label=_("Cabinet slot"),
        max_length=16,
        required=False,
        help_text=_("Empty: the old key's slot."),
    )
    new_tag_code = forms.CharField(
        label=_("New tag code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to number it automatically."),
    )


class ContractorForm(EstateChoiceMixin, forms.Form):
    name = forms.CharField(label=_("Company"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    liaison = StaffChoiceField(label=_("Our contact person"), queryset=None, required=False)

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_estate_field(estates)
        self.fields["liaison"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, staff__estates__in=estates)
            .distinct()
            .order_by("first_name", "username")
        )


class ContractorPersonForm(forms.Form):
    name = forms.CharField(label=_("Responsible person"), max_length=64)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    id_last4 = forms.CharField(label=_("ID card, last 4"), max_length=4, min_length=4)


class VacantRecordForm(forms.Form):
    clean = forms.BooleanField(label=_("Clean"), required=False)
    facilities_ok = forms.BooleanField(label=_("Facilities intact"), required=False)
    problem = forms.CharField(label=_("Problem found"), max_length=300, required=False)
    referred_to = forms.CharField(label=_("Passed to department"), max_length=64, required=False)
