"""Forms of the owners' keys: entrustment, hand-over, the confirmation call, the return, and
the move-in issue. They check the shape of the input; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.forms.common import EstateChoiceMixin, OwnerChoiceField, StaffChoiceField
from keys.models import Key
from propserv.access import staff_of
from propserv.models import Resident
from propserv.roles import DESK, KEY_CUSTODIANS


class UnitLookupForm(EstateChoiceMixin, forms.Form):
    unit_code = forms.CharField(
        label=_("Unit code"), widget=forms.TextInput(attrs={"placeholder": "3-2-1502"})
    )

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_estate_field(estates)

    def clean(self):
        data = super().clean()
        estate, code = data.get("estate"), (data.get("unit_code") or "").strip()
        if estate is not None and code:
            unit = estate.units.filter(code=code).first()
            if unit is None:
                self.add_error("unit_code", _("No unit %(code)s in this estate.") % {"code": code})
            data["unit"] = unit
        return data


class EntrustForm(forms.Form):
    owner = OwnerChoiceField(
        label=pgettext_lazy("keys", "Owner"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
    )
    owner_id_last4 = forms.CharField(label=_("Owner's ID card, last 4"), max_length=4, min_length=4)
    identity_checked = forms.BooleanField(
        label=_("I checked the owner's identity card"), required=False
    )
    count = forms.IntegerField(label=_("Number of keys"), min_value=1, max_value=99, initial=1)
    description = forms.CharField(label=_("What the bunch holds"), required=False, max_length=200)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("e.g. owner abroad, renovation, cleaning service."),
    )
    waiver_accepted = forms.BooleanField(
        label=_("The owner read and signed the waiver"), required=False
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = unit.residents.current().filter(role=Resident.Role.OWNER)


class HandoverForm(forms.Form):
    handed_by = StaffChoiceField(
        label=_("Handed over by (front desk)"), queryset=None, empty_label=None
    )
    handed_to = StaffChoiceField(label=_("Received by (area administrator)"), queryset=None)
    slot = forms.CharField(label=_("Cabinet slot"), max_length=16)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handed_by"].queryset = staff_of(estate, DESK)
        self.fields["handed_to"].queryset = staff_of(estate, KEY_CUSTODIANS)


class OwnerCallForm(forms.Form):
    phone = forms.CharField(label=_("Number called"), max_length=20)
    collector_name = forms.CharField(label=_("Person the owner named to collect"), max_length=64)
    confirmed = forms.BooleanField(
        label=_("The owner confirmed this person may collect the key"), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class CallChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{timezone.localtime(obj.called_at):%m-%d %H:%M} · {obj.collector_name}"


class ReleaseForm(forms.Form):
    collector_is_owner = forms.TypedChoiceField(
        label=_("Who collects"),
        choices=[("1", _("The owner in person")), ("0", _("Someone else, confirmed by phone"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    collector_name = forms.CharField(label=_("Collector's name"), required=False, max_length=64)
    collector_id_last4 = forms.CharField(
        label=_("Collector's ID card, last 4"), max_length=4, min_length=4
    )
    identity_checked = forms.BooleanField(
        label=_("I checked the collector's identity card"), required=False
    )
    call = CallChoiceField(label=_("Confirmation call"), queryset=None, required=False)

    def __init__(self, *args, calls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls


class KeysChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.tag_code} · {obj.description or obj.opens} · ×{obj.count} · {obj.slot}"


class IssueForm(forms.Form):
    owner = OwnerChoiceField(
        label=pgettext_lazy("keys", "Owner"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
    )
    owner_id_last4 = forms.CharField(label=_("Owner's ID card, last 4"), max_length=4, min_length=4)
    identity_checked = forms.BooleanField(
        label=_("I checked the owner's identity card"), required=False
    )
    keys = KeysChoiceField(
        label=_("Keys handed over"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = unit.residents.current().filter(role=Resident.Role.OWNER)
        keys = unit.keys.filter(kind=Key.Kind.DEVELOPER, state=Key.State.IN_CABINET)
        self.fields["keys"].queryset = keys
        self.fields["keys"].initial = list(keys.values_list("pk", flat=True))
