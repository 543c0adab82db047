"""Forms of the hand-over pages (problems, move-in, milestones): they check the shape of the
input; the services check the rest (docs/architecture.md, "A request that changes something")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fees.models import ChargeItem
from inspections.models import DefectType, InspectionRound, MoveInBatch, Problem
from keys.models import Key
from propserv.access import staff_of
from propserv.models import Building, Resident, Unit

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"})
ROWS = 5  # problem rows on one phone screen


class UnitCodeField(forms.CharField):
    """A unit typed by its code (faster on a phone than a list of hundreds)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Unit"))
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "list": "unit-codes"})


def resolve_unit(form: forms.Form, field: str, estate) -> Unit | None:
    code = form.cleaned_data.get(field)
    if not code:
        return None
    unit = Unit.in_estate(estate, code)
    if unit is None:
        form.add_error(field, _("No unit %(code)s in this estate.") % {"code": code})
    return unit


class ProblemRowForm(forms.Form):
    unit = UnitCodeField(required=False)
    location = forms.CharField(label=_("Room or location"), max_length=100, required=False)
    defect_type = forms.ModelChoiceField(
        DefectType.objects.none(), label=_("Defect type"), required=False
    )
    severity = forms.ChoiceField(
        choices=Problem.Severity.choices, label=_("Severity"), initial=Problem.Severity.MINOR
    )
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    photo = forms.FileField(label=_("Photo (optional)"), required=False)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate = estate
        self.fields["defect_type"].queryset = DefectType.objects.filter(estate=estate, active=True)
        self.fields["photo"].widget.attrs.update({"accept": "image/*", "capture": "environment"})

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not (d.get("unit") or d.get("location") or d.get("description") or d.get("photo"))

    def clean(self):
        d = super().clean()
        if not self.is_blank():
            d["unit_obj"] = resolve_unit(self, "unit", self.estate)
            for field in ("unit", "location", "defect_type"):
                if not d.get(field) and field not in self.errors:
                    self.add_error(field, _("This field is required."))
        return d


class BaseRowsFormSet(forms.BaseFormSet):
    def filled(self) -> list[ProblemRowForm]:
        return [f for f in self.forms if f.cleaned_data and not f.is_blank()]


ProblemRowsFormSet = forms.formset_factory(
    ProblemRowForm, formset=BaseRowsFormSet, extra=ROWS, max_num=50
)


class RoundChoiceForm(forms.Form):
    round = forms.ModelChoiceField(
        InspectionRound.objects.none(), label=_("Inspection round"), required=False
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = InspectionRound.objects.filter(
            estate=estate
        ).select_related("building")


class RoundForm(forms.Form):
    building = forms.ModelChoiceField(Building.objects.none(), label=_("Building"))
    name = forms.CharField(label=_("Round"), max_length=64)
    started_on = forms.DateField(label=_("Started on"), widget=DATE)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(estate=estate)


class DefectTypeForm(forms.Form):
    name = forms.CharField(label=_("Defect type"), max_length=64)


class FixForm(forms.Form):
    evidence = forms.CharField(label=_("Evidence of the fix"), max_length=500, required=False)
    photo = forms.FileField(label=_("Photo of the fix"), required=False)


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Plan"), max_length=100)
    staffing = forms.CharField(
        label=_("Staffing"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    risks = forms.CharField(
        label=_("Risk pre-assessment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    prep_items = forms.CharField(
        label=_("Preparation checklist (one item a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    charge_items = forms.ModelMultipleChoiceField(
        ChargeItem.objects.none(),
        label=_("Move-in charges"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charge_items"].queryset = ChargeItem.objects.filter(
            estate=estate, kind=ChargeItem.Kind.ONE_OFF, active=True
        )

    def clean_prep_items(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["prep_items"].splitlines() if line.strip()
        ]


class BatchForm(forms.Form):
    name = forms.CharField(label=_("Batch"), max_length=64)
    day = forms.DateField(label=_("Day"), widget=DATE)
    staffing = forms.CharField(label=_("Staff on duty"), max_length=200, required=False)


class BookForm(forms.Form):
    unit = UnitCodeField()
    batch = forms.ModelChoiceField(
        MoveInBatch.objects.none(),
        label=_("Batch"),
        required=False,
        help_text=_("Leave empty for a later arrival."),
    )
    day = forms.DateField(label=_("Day"), widget=DATE, required=False)
    time = forms.TimeField(label=_("Time"), widget=TIME, required=False)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate = estate
        self.fields["batch"].queryset = MoveInBatch.objects.filter(plan__estate=estate)

    def clean(self):
        d = super().clean()
        unit = resolve_unit(self, "unit", self.estate)
        d["unit_obj"] = unit
        if unit is not None:
            owner = (
                Resident.objects.current()
                .filter(unit=unit, role=Resident.Role.OWNER)
                .order_by("pk")
                .first()
            )
            if owner is None:
                self.add_error(
                    "unit", _("Register the owner of unit %(unit)s first.") % {"unit": unit.code}
                )
            d["owner"] = owner
        if not d.get("batch") and not d.get("day"):
            self.add_error("day", _("Choose the day (or a batch)."))
        return d


class AcceptForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reason to accept despite blocking problems"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    keys = forms.ModelMultipleChoiceField(
        Key.objects.none(),
        label=_("Keys to hand over"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    identity_checked = forms.BooleanField(label=_("Owner's identity checked"), required=False)
    owner_id_last4 = forms.CharField(
        label=_("Owner's ID card, last 4"), max_length=4, required=False
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keys"].queryset = Key.objects.filter(
            unit=unit, kind=Key.Kind.DEVELOPER, state=Key.State.IN_CABINET
        )


class RefuseForm(forms.Form):
    reasons = forms.CharField(
        label=_("Owner's reasons for refusing"), widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MilestoneForm(forms.Form):
    project = forms.CharField(label=_("Project"), max_length=100)
    name = forms.CharField(label=_("Milestone"), max_length=200)
    owner = forms.ModelChoiceField(None, label=_("Responsible"))
    due_on = forms.DateField(label=_("Due on"), widget=DATE)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_of(estate)
