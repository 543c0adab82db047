"""Forms of the complaint screens (docs/domain.md, Complaints). They check the shape of the input; the rules
live in the services."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propserv.access import staff_of
from propserv.models import Unit
from propserv.roles import COMPLAINT_REPORT_TARGETS, Role
from tickets.forms.common import ColleagueChoiceField
from tickets.models import Channel, Complaint, ComplaintReply

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ComplaintForm(forms.Form):
    """Intake by phone in under a minute: the first six fields; the rest is optional."""

    unit_code = forms.CharField(
        label=_("Unit"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "3-2-1502", "autocomplete": "off"}),
    )
    complainant_name = forms.CharField(label=_("Complainant"), max_length=64, required=False)
    complainant_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "---------"), *Complaint.Category.choices]
    )
    description = forms.CharField(
        label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    apologised = forms.BooleanField(
        label=_("Apologised on behalf of the department complained about"),
        required=False,
        initial=True,
    )
    # --- optional details ---
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    request = forms.CharField(
        label=_("What the complainant asks for"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    department = forms.ChoiceField(
        label=_("Department complained about"),
        choices=Complaint.Department.choices,
        initial=Complaint.Department.OTHER,
    )
    against = forms.CharField(label=_("Who is complained about"), max_length=100, required=False)
    occurred_at = forms.DateTimeField(label=_("When it happened"), required=False, widget=DATETIME)
    occurred_place = forms.CharField(label=_("Where it happened"), max_length=200, required=False)
    complainant_kind = forms.ChoiceField(
        label=_("Complainant is"),
        choices=Complaint.ComplainantKind.choices,
        initial=Complaint.ComplainantKind.RESIDENT,
    )
    written = forms.BooleanField(
        label=_("Written complaint (needs a written reply)"),
        required=False,
        help_text=_("Ticked automatically for letters and e-mails."),
    )
    households = forms.IntegerField(
        label=_("Households complaining"), min_value=1, max_value=9999, initial=1
    )
    injury_or_loss = forms.BooleanField(label=_("Injury or financial loss"), required=False)
    promise_broken = forms.BooleanField(
        label=_("A promised service repeatedly not delivered"), required=False
    )
    requested_by = forms.DateTimeField(
        label=_("Resident asks for an answer by"), required=False, widget=DATETIME
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        help_text=_("Leave empty for now; fill in when logging a call late."),
        widget=DATETIME,
    )
    same_matter_as = forms.CharField(
        label=_("Same matter as complaint"),
        max_length=12,
        required=False,
        help_text=_("Its number, e.g. TS000012, when the resident complained about it before."),
    )

    ESSENTIAL = (
        "unit_code",
        "complainant_name",
        "complainant_phone",
        "category",
        "description",
        "apologised",
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate = estate

    def essential_fields(self):
        return [self[name] for name in self.ESSENTIAL]

    def detail_fields(self):
        return [self[name] for name in self.fields if name not in self.ESSENTIAL]

    def clean_unit_code(self):
        code = self.cleaned_data["unit_code"].strip()
        if not code:
            return None
        unit = Unit.in_estate(self.estate, code)
        if unit is None:
            raise forms.ValidationError(
                _("There is no unit %(code)s in this estate.") % {"code": code}
            )
        return unit

    def clean_same_matter_as(self):
        text = self.cleaned_data["same_matter_as"].strip().upper()
        if not text:
            return None
        digits = text.removeprefix("TS")
        found = (
            Complaint.objects.filter(estate=self.estate, pk=int(digits)).first()
            if digits.isdigit()
            else None
        )
        if found is None:
            raise forms.ValidationError(
                _("There is no complaint %(number)s in this estate.") % {"number": text}
            )
        return found

    def clean(self):
        data = super().clean()
        if not data.get("unit_code") and not (data.get("complainant_name") or "").strip():
            self.add_error("complainant_name", _("Give the complainant's name or the unit."))
        return data

    def service_kwargs(self) -> dict:
        d = dict(self.cleaned_data)
        d["unit"] = d.pop("unit_code")
        if d["channel"] in ("letter", "email"):
            d["written"] = True
        if not d["received_at"]:
            d.pop("received_at")
        d["complainant_phone"] = d["complainant_phone"].strip()
        return d


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Complaint.Grade.choices)
    reason = forms.CharField(
        label=_("Why this grade"),
        max_length=300,
        required=False,
        help_text=_("May stay empty when you accept the proposed grade."),
    )
    invalid_reason = forms.ChoiceField(
        label=_("Why invalid"),
        choices=[("", "—"), *Complaint.InvalidReason.choices],
        required=False,
    )
    referred_to = forms.CharField(
        label=_("Forwarded or referred to"), max_length=100, required=False
    )

    def __init__(self, *args, grades=None, **kwargs):
        """`grades`: the grades this user may choose (services.complaints.grades_allowed)."""
        super().__init__(*args, **kwargs)
        if grades is not None:
            self.fields["grade"].choices = [c for c in Complaint.Grade.choices if c[0] in grades]


class ReportUpForm(forms.Form):
    reported_to = forms.MultipleChoiceField(
        label=_("Reported to"),
        choices=[(r, label) for r, label in Role.choices if r in COMPLAINT_REPORT_TARGETS],
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReplyForm(forms.Form):
    channel = forms.ChoiceField(label=_("How"), choices=ComplaintReply.Channel.choices)
    text = forms.CharField(
        label=_("Reply"), max_length=6000, widget=forms.Textarea(attrs={"rows": 4})
    )


class HandleForm(forms.Form):
    outcome = forms.CharField(
        label=_("How it was handled"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtendForm(forms.Form):
    new_due_at = forms.DateTimeField(label=_("New handling deadline"), widget=DATETIME)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class OwnerForm(forms.Form):
    owner = ColleagueChoiceField(
        label=pgettext_lazy("ticket owner", "Owner"), queryset=get_user_model().objects.none()
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_of(estate)
