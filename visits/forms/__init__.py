"""Forms of the front desk and of the residents' public report form. They validate the shape of
the input; the services check the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.models import Building, Resident, Unit
from propserv.phones import phone_validator
from tickets.models import Channel, RepairCategory
from visits.models import Defect, Incident, LostItem, Notice, NoticeCall, Visit

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STAFF_CHANNELS = [c for c in Channel.choices if c[0] != Channel.WEB]


def unit_of(estate, code: str) -> Unit:
    unit = Unit.in_estate(estate, code)
    if unit is None:
        raise ValidationError(
            _("There is no unit %(code)s in this estate.") % {"code": code.strip()},
            code="unknown_unit",
        )
    return unit


class VisitForm(forms.Form):
    """One entry of the duty log, in under 30 seconds: most fields are optional."""

    estate = forms.ChoiceField(label=_("Estate"))
    channel = forms.ChoiceField(
        label=pgettext_lazy("reception", "Channel"), choices=STAFF_CHANNELS, initial=Channel.WALK_IN
    )
    who = forms.CharField(
        label=_("Caller"),
        required=False,
        max_length=64,
        help_text=_("Unit, name or phone; pick from the list."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "data-lookup": "1",
                "placeholder": "3-2-1502 / 张 / 1381234",
            }
        ),
    )
    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    unit_code = forms.CharField(label=_("Unit"), max_length=32, required=False)
    caller_name = forms.CharField(
        label=pgettext_lazy("person", "Name"), max_length=64, required=False
    )
    caller_phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, validators=[phone_validator]
    )
    category = forms.ChoiceField(label=_("Category"), choices=Visit.Category.choices)
    summary = forms.CharField(
        label=pgettext_lazy("reception", "Summary"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    handling = forms.CharField(
        label=_("How it was handled"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    promised_answer_at = forms.DateTimeField(
        label=_("Answer promised by"),
        required=False,
        widget=DATETIME,
        help_text=_("Never say “I don't know”: promise a time for the answer."),
    )
    resolved_on_spot = forms.BooleanField(label=_("Resolved on the spot"), required=False)

    def __init__(self, *args, user, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.estates = {e.code: e for e in estates}
        self.fields["estate"].choices = [(e.code, e.name) for e in estates]
        if len(estates) == 1:
            self.fields["estate"].widget = forms.HiddenInput()
            self.fields["estate"].initial = estates[0].code

    def clean(self):
        data = super().clean()
        estate = self.estates.get(data.get("estate"))
        data["estate_obj"] = estate
        if estate is None:
            return data
        resident = None
        if data.get("resident"):
            resident = (
                Resident.objects.for_user(self.user)
                .filter(pk=data["resident"], estate=estate)
                .select_related("unit")
                .first()
            )
            if resident is None:
                self.add_error("who", _("Pick the resident again from the list."))
        unit = None
        code = (data.get("unit_code") or "").strip()
        if code:
            try:
                unit = unit_of(estate, code)
            except ValidationError as exc:
                self.add_error("unit_code", exc)
        elif resident is not None:
            unit = resident.unit
        if resident is None and unit is not None:
            # Without JavaScript: the unit plus the phone (or name) finds the resident.
            residents = Resident.objects.current().filter(unit=unit)
            phone, name = (data.get("caller_phone") or "").strip(), (data.get("caller_name") or "")
            resident = (
                (phone and residents.filter(phone=phone).first())
                or (name.strip() and residents.filter(name=name.strip()).first())
                or None
            )
        data["resident_obj"], data["unit_obj"] = resident, unit
        if data.get("resolved_on_spot") and not (data.get("handling") or "").strip():
            self.add_error("handling", _("Say how it was handled on the spot."))
        promised = data.get("promised_answer_at")
        if promised and not data.get("resolved_on_spot") and promised <= timezone.now():
            self.add_error(
                "promised_answer_at", _("The promised answer time must be in the future.")
            )
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "estate": d["estate_obj"],
            "channel": d["channel"],
            "category": d["category"],
            "summary": d["summary"],
            "handling": d["handling"],
            "unit": d["unit_obj"],
            "resident": d["resident_obj"],
            "caller_name": d["caller_name"],
            "caller_phone": d["caller_phone"],
            "promised_answer_at": d["promised_answer_at"],
            "resolved_on_spot": d["resolved_on_spot"],
        }


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("How it was resolved"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CallbackForm(forms.Form):
    note = forms.CharField(label=_("What the resident said"), max_length=500, required=False)


class TransferForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("New owner"), queryset=None)
    reason = forms.CharField(label=_("Why"), max_length=200)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = staff
        self.fields["to_user"].label_from_instance = lambda u: u.get_full_name() or u.username


class ToRepairForm(forms.Form):
    """Pre-filled from the entry: the front desk only picks the repair category."""

    category = forms.ModelChoiceField(label=_("Repair category"), queryset=None)
    description = forms.CharField(
        label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    location = forms.CharField(
        label=_("Location / common area"),
        max_length=200,
        required=False,
        help_text=_("Needed when the entry has no unit."),
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = RepairCategory.objects.filter(estate=estate, active=True)


class ToComplaintForm(forms.Form):
    description = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    demand = forms.CharField(label=_("What the resident asks for"), max_length=1000, required=False)


class ToDefectForm(forms.Form):
    location = forms.CharField(label=_("Where in the unit"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Defect"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    developer_team = forms.CharField(
        label=_("Developer's after-sales team"), max_length=100, required=False
    )


class HandoverForm(forms.Form):
    """`staff`: the estate's desk staff but the user (propserv.roles.DESK), for both lists."""

    recipients = forms.ModelMultipleChoiceField(
        label=_("Hand over to (next shift)"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They are notified and one of them acknowledges the list."),
        error_messages={"required": _("Choose who on the next shift takes over.")},
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Also on my shift"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Shift notes"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("recipients", "members"):
            self.fields[name].queryset = staff
            self.fields[name].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self):
        data = super().clean()
        both = set(data.get("recipients") or ()) & set(data.get("members") or ())
        if both:
            self.add_error("recipients", _("Hand over to the next shift, not to someone on yours."))
        return data


class DefectForm(forms.ModelForm):
    unit_code = forms.CharField(label=_("Unit"), max_length=32)

    class Meta:
        model = Defect
        fields = ["location", "description", "developer_team"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate = estate

    def clean_unit_code(self):
        return unit_of(self.estate, self.cleaned_data["unit_code"])


class DefectStepForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class LostItemForm(forms.ModelForm):
    class Meta:
        model = LostItem
        fields = ["description", "found_at", "found_where", "found_by", "kept_where"]
        widgets = {"found_at": DATETIME}


class LostItemReturnForm(forms.Form):
    claimant_name = forms.CharField(label=_("Collected by"), max_length=64)
    claimant_phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, validators=[phone_validator]
    )
    claimant_proof = forms.CharField(label=_("How ownership was checked"), max_length=200)


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "kind",
            "occurred_at",
            "location",
            "description",
            "actions_taken",
            "plan_activated",
        ]
        widgets = {
            "occurred_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 3}),
            "actions_taken": forms.Textarea(attrs={"rows": 2}),
        }


class IncidentCloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["kind", "emergency", "building", "title", "body", "valid_from", "valid_until"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5}),
            "valid_from": DATE,
            "valid_until": DATE,
        }

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(estate=estate)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Notice.Kind.POSTED and not (
            data.get("valid_from") and data.get("valid_until")
        ):
            self.add_error("valid_until", _("A posted notice needs its validity dates."))
        return data


class NoticeCallForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in NoticeCall.Outcome.choices if c[0] != NoticeCall.Outcome.PENDING],
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
