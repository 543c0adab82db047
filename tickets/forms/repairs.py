"""Forms of the repair screens. They check the shape of the input; the rules live in the
services (docs/domain.md, Repairs)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propserv.models import Unit
from tickets.models import Channel, PriceItem, Repair, RepairCategory, RepairPhoto


class RepairForm(forms.Form):
    """The front desk logs a call or walk-in in one screen."""

    unit_code = forms.CharField(
        label=_("Unit"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "3-2-1502", "autocomplete": "off"}),
    )
    location = forms.CharField(label=_("Location / common area"), max_length=200, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=RepairCategory.objects.none())
    description = forms.CharField(
        label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    reporter_name = forms.CharField(label=_("Reported by"), max_length=64, required=False)
    reporter_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        help_text=_("Leave empty for now; fill in when logging a call late."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    difficulty = forms.ChoiceField(
        label=_("Difficulty"), choices=Repair.Difficulty.choices, initial=Repair.Difficulty.GENERAL
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        initial="auto",
        choices=[
            ("auto", _("As the category says")),
            ("urgent", _("Urgent")),
            ("normal", _("Not urgent")),
        ],
    )
    urgency_reason = forms.CharField(
        label=_("Why the urgency differs"), max_length=200, required=False
    )
    preferred_visit_at = forms.DateTimeField(
        label=_("Preferred visit time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate = estate
        self.fields["category"].queryset = RepairCategory.objects.filter(estate=estate, active=True)

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

    def clean(self):
        data = super().clean()
        if not data.get("unit_code") and not (data.get("location") or "").strip():
            self.add_error("location", _("Give the unit or describe the common-area location."))
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        urgent = {"auto": None, "urgent": True, "normal": False}[d["urgency"]]
        return {
            "unit": d["unit_code"],
            "location": d["location"],
            "category": d["category"],
            "description": d["description"],
            "channel": d["channel"],
            "reporter_name": d["reporter_name"],
            "reporter_phone": d["reporter_phone"].strip(),
            "received_at": d["received_at"] or timezone.now(),
            "difficulty": d["difficulty"],
            "urgent": urgent,
            "urgency_reason": d["urgency_reason"],
            "preferred_visit_at": d["preferred_visit_at"],
        }


class CompleteForm(forms.Form):
    labour_minutes = forms.IntegerField(
        label=_("Labour (minutes)"), min_value=0, max_value=60 * 24 * 7
    )
    materials = forms.CharField(
        label=_("Materials used"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    signed_by = forms.CharField(label=_("Resident who signed"), max_length=64)


class HoldForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=200)
    until = forms.DateTimeField(
        label=_("New time agreed with the resident"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class QuoteForm(forms.Form):
    """A quote from the estate's published price list: one quantity per item (0 or empty: not
    charged). The service refuses anything off the list (docs/domain.md, Repairs (paid work))."""

    def __init__(self, *args, estate, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        # `items`: the estate's active price list read once by a page of several forms (my jobs).
        self.items = (
            list(items)
            if items is not None
            else list(PriceItem.objects.filter(estate=estate, active=True))
        )
        for item in self.items:
            self.fields[f"qty_{item.pk}"] = forms.DecimalField(
                label=str(item),
                required=False,
                min_value=0,
                max_digits=8,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "1", "inputmode": "decimal"}),
            )

    def service_kwargs(self) -> dict:
        lines = [
            (item.pk, self.cleaned_data[f"qty_{item.pk}"])
            for item in self.items
            if self.cleaned_data.get(f"qty_{item.pk}")
        ]
        return {"lines": lines}


class ConsentForm(forms.Form):
    resident_name = forms.CharField(label=_("Resident who agreed to the price"), max_length=64)


class PhotoForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Photo"),
        choices=[(k, label) for k, label in RepairPhoto.Kind.choices if k != "resident"],
    )
    image = forms.FileField(
        label=_("Photo file"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )
