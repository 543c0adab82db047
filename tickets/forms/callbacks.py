"""Forms of the callback screens (docs/domain.md, Callbacks)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from propserv.access import staff_of
from propserv.roles import CALLBACK_CALLERS, Role
from tickets.forms.common import ColleagueChoiceField
from tickets.models import CallbackAttempt


class CallbackForm(forms.Form):
    # No initial: the score is the resident's answer, chosen deliberately (issue 12, item 11).
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Choose…")),
            (5, _("5 – very satisfied")),
            (4, _("4 – satisfied")),
            (3, _("3 – acceptable")),
            (2, _("2 – dissatisfied")),
            (1, _("1 – very dissatisfied")),
        ],
    )
    comment = forms.CharField(label=_("Resident's comment"), required=False, max_length=1000)
    confirmed_by_resident = forms.BooleanField(
        label=_("The resident confirmed this record"), required=False
    )


class AttemptForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Result of the call"),
        choices=[
            (CallbackAttempt.Outcome.NO_ANSWER, CallbackAttempt.Outcome.NO_ANSWER.label),
            (CallbackAttempt.Outcome.WRONG_NUMBER, CallbackAttempt.Outcome.WRONG_NUMBER.label),
            (CallbackAttempt.Outcome.REACHED, _("Reached, call again later")),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AssignCallersForm(forms.Form):
    assigned_to = ColleagueChoiceField(
        label=_("Who calls"), queryset=get_user_model().objects.none()
    )
    second_caller = ColleagueChoiceField(
        label=_("Together with"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        callers = staff_of(estate, CALLBACK_CALLERS, Role.FRONT_DESK)
        self.fields["assigned_to"].queryset = callers
        self.fields["second_caller"].queryset = callers


class SecondHandlingForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
