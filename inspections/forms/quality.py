"""Forms of the quality pages: they check the shape of the input; the services check the rest
(ranges, who is responsible, cause and fix)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from inspections.models import SCORED_KINDS, CheckKind, DutyFailure, WeatherWarning
from inspections.services.quality import Finding
from propserv.models import Department

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})
TEXT = forms.Textarea(attrs={"rows": 2})
FINDING_SLOTS = 3


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(choices=CheckKind.choices, label=_("Kind of check"))
    name = forms.CharField(label=_("Name"), max_length=100)
    items = forms.CharField(
        label=_("Items"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].help_text = _(
            "One item a line: text | maximum score | specialty (the score only for the "
            "monthly and quarterly checks; specialty: %(codes)s)."
        ) % {"codes": ", ".join(Department.values)}

    def parsed_items(self) -> list[dict]:
        out = []
        for line in self.cleaned_data["items"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            out.append(
                {
                    "text": parts[0],
                    "max_score": parts[1] if len(parts) > 1 and parts[1] else 0,
                    "specialty": parts[2] if len(parts) > 2 and parts[2] else Department.OTHER,
                }
            )
        return out


def staff_choices(estate):
    return (
        get_user_model()
        .objects.filter(is_active=True, staff__estates=estate)
        .order_by("first_name", "username")
    )


class CheckForm(forms.Form):
    """A check done with `template`: one field per item (a score, or OK/failed), the night
    check's post and person on duty, notes, photos, and up to three findings."""

    post = forms.CharField(label=_("Post checked"), max_length=100, required=False)
    on_duty = forms.CharField(label=_("On duty (signs)"), max_length=64, required=False)
    notes = forms.CharField(label=_("Notes"), widget=TEXT, required=False)
    photo1 = forms.ImageField(label=_("Photo"), required=False)
    photo2 = forms.ImageField(label=_("Photo"), required=False)
    photo3 = forms.ImageField(label=_("Photo"), required=False)

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.scored = template.kind in SCORED_KINDS
        if template.kind != CheckKind.NIGHT:
            del self.fields["post"], self.fields["on_duty"]
        for item in template.items:
            name = f"r_{item['code']}"
            if self.scored:
                self.fields[name] = forms.IntegerField(
                    label=f"{item['text']} (0–{item['max_score']})",
                    widget=forms.NumberInput(
                        attrs={"min": 0, "max": item["max_score"], "inputmode": "numeric"}
                    ),
                )
            else:
                self.fields[name] = forms.ChoiceField(
                    label=item["text"],
                    choices=[("ok", _("OK")), ("fail", _("Failed"))],
                    widget=forms.RadioSelect,
                    initial="ok",
                )
        people = staff_choices(template.estate)
        items = [("", "—"), *[(i["code"], i["text"]) for i in template.items]]
        for n in range(1, FINDING_SLOTS + 1):
            p = f"f{n}_"
            self.fields[p + "description"] = forms.CharField(
                label=_("Finding %(n)s") % {"n": n}, widget=TEXT, required=False
            )
            self.fields[p + "item"] = forms.ChoiceField(
                label=_("Checklist item"), choices=items, required=False
            )
            self.fields[p + "specialty"] = forms.ChoiceField(
                label=_("Specialty"), choices=Department.choices, initial=Department.OTHER
            )
            self.fields[p + "responsible"] = forms.ModelChoiceField(
                people, label=_("Responsible"), required=False
            )
            if self.scored:
                self.fields[p + "due_at"] = forms.DateTimeField(
                    label=_("Fix by"), widget=DATETIME, required=False
                )
                continue
            self.fields[p + "duty_failure"] = forms.ChoiceField(
                label=_("Failure of duty"), choices=DutyFailure.choices, required=False
            )
            self.fields[p + "trivial"] = forms.BooleanField(label=_("Trivial"), required=False)
            self.fields[p + "litter"] = forms.BooleanField(
                label=_("Recurring litter"), required=False
            )
            self.fields[p + "closed_at"] = forms.DateTimeField(
                label=_("Closed at"), widget=DATETIME, required=False
            )
            self.fields[p + "closure"] = forms.CharField(
                label=_("How it was closed"), widget=TEXT, required=False
            )

    def item_fields(self):
        return [self[f"r_{item['code']}"] for item in self.template.items]

    def finding_fields(self):
        return [
            [f for f in self if f.name.startswith(f"f{n}_")] for n in range(1, FINDING_SLOTS + 1)
        ]

    def other_fields(self):
        return [f for f in self if not f.name.startswith(("r_", "f"))]

    def results(self) -> dict:
        return {
            item["code"]: self.cleaned_data[f"r_{item['code']}"] for item in self.template.items
        }

    def findings(self) -> list[Finding]:
        d, out = self.cleaned_data, []
        for n in range(1, FINDING_SLOTS + 1):
            p = f"f{n}_"
            if not (d.get(p + "description") or "").strip():
                continue
            out.append(
                Finding(
                    description=d[p + "description"],
                    specialty=d[p + "specialty"],
                    item=d.get(p + "item") or "",
                    responsible=d.get(p + "responsible"),
                    duty_failure=d.get(p + "duty_failure") or "",
                    trivial=d.get(p + "trivial") or False,
                    litter=d.get(p + "litter") or False,
                    closed_at=d.get(p + "closed_at"),
                    closure=d.get(p + "closure") or "",
                    due_at=d.get(p + "due_at"),
                )
            )
        return out

    def photos(self) -> list:
        return [self.cleaned_data.get(f"photo{n}") for n in (1, 2, 3)]


class CloseForm(forms.Form):
    closure = forms.CharField(label=_("How it was closed"), widget=TEXT)


class FixForm(forms.Form):
    cause = forms.CharField(label=_("Cause"), widget=TEXT, required=False)
    fix = forms.CharField(label=_("Fix"), widget=TEXT, required=False)


class TransferForm(forms.Form):
    department = forms.ChoiceField(choices=Department.choices, label=_("Responsible department"))
    reason = forms.CharField(label=_("Why the office cannot fix it"), widget=TEXT)


class VerifyForm(forms.Form):
    passed = forms.TypedChoiceField(
        choices=[("1", _("Closed: confirmed")), ("0", _("Not closed: reopen"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        label=_("Verification"),
    )
    notes = forms.CharField(label=_("Notes"), widget=TEXT, required=False)
    next_due_at = forms.DateTimeField(
        label=_("New deadline (when not closed)"), widget=DATETIME, required=False
    )


class WarningForm(forms.Form):
    kind = forms.ChoiceField(choices=WeatherWarning.Kind.choices, label=_("Warning"))
    level = forms.CharField(label=_("Signal"), max_length=32, required=False)
    starts_at = forms.DateTimeField(label=_("From"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Until"), widget=DATETIME, required=False)
