"""What the key cabinet's forms share: staff and estate choices, date-time input, search."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keys.models import Key

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class DateTimeLocalField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
        super().__init__(**kwargs)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Unit, tag, area, slot or name"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "3-2-1502", "autofocus": True, "type": "search"}
        ),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Held by the office"))] + Key.State.choices,
    )


class EstateChoiceMixin:
    """An estate field for people who work for several estates (hidden for one)."""

    def add_estate_field(self, estates):
        self.fields["estate"] = forms.ModelChoiceField(
            label=_("Estate"), queryset=estates, empty_label=None
        )
        if estates.count() == 1:
            self.fields["estate"].widget = forms.HiddenInput()
            self.fields["estate"].initial = estates.first().pk


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
