"""Forms of loans: lending (with a supervisor's approval for a long loan), the return, the
unit inspection, the re-issue to rectify."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from keys.forms.common import DateTimeLocalField, StaffChoiceField
from propserv.access import staff_of
from propserv.roles import KEY_LOAN_APPROVERS, has_role

# Approver passwords typed at the desk: after this many wrong ones within the window, the pair
# (actor, approver) is locked out until the window ends.
APPROVER_MAX_FAILURES = 5
APPROVER_LOCKOUT_SECONDS = 15 * 60


def approver_attempts_key(actor, approver) -> str:
    return f"keys:approver-password:{actor.pk}:{approver.pk}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} · {obj.contractor.name}"


class LendForm(forms.Form):
    borrower_kind = forms.ChoiceField(
        label=_("Borrower is"),
        choices=[
            ("staff", _("Staff member")),
            ("contractor", _("Contractor's responsible person")),
        ],
        widget=forms.RadioSelect,
        initial="staff",
    )
    borrower_staff = StaffChoiceField(label=_("Staff member"), queryset=None, required=False)
    borrower_person = PersonChoiceField(
        label=_("Contractor's responsible person"),
        queryset=None,
        required=False,
        help_text=_("Only responsible persons registered for the contractor may borrow."),
    )
    phone = forms.CharField(
        label=_("Borrower's phone"),
        max_length=20,
        required=False,
        help_text=_("Empty: the number on record."),
    )
    count = forms.IntegerField(label=_("Number of keys"), min_value=1, max_value=99)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    related_ref = forms.CharField(label=_("Repair or renovation"), max_length=60, required=False)
    due_at = DateTimeLocalField(
        label=_("Due back"), required=False, help_text=_("Empty: the end of today.")
    )
    approved_by = StaffChoiceField(
        label=_("Longer loan approved by"),
        queryset=None,
        required=False,
        help_text=_("Only for a loan longer than the estate's limit."),
    )
    approver_password = forms.CharField(
        label=_("Approver's password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    approval_note = forms.CharField(label=_("Approval note"), required=False, max_length=200)

    def __init__(self, *args, estate, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borrower_staff"].queryset = staff_of(estate)
        self.fields["borrower_person"].queryset = persons
        self.fields["approved_by"].queryset = staff_of(estate, KEY_LOAN_APPROVERS)

    def clean(self):
        data = super().clean()
        if data.get("borrower_kind") == "staff":
            data["borrower_person"] = None
            if not data.get("borrower_staff"):
                self.add_error("borrower_staff", _("Choose the staff member borrowing the key."))
        else:
            data["borrower_staff"] = None
            if not data.get("borrower_person"):
                self.add_error(
                    "borrower_person", _("Choose the contractor's registered responsible person.")
                )
        return data

    def approver(self, actor):
        """The approving supervisor: the actor when they may approve, else the chosen approver
        whose password was given. None when nobody approved."""
        chosen = self.cleaned_data.get("approved_by")
        if chosen is None and has_role(actor, KEY_LOAN_APPROVERS):
            return actor
        if chosen is None:
            return None
        if chosen.pk == actor.pk:
            return actor
        attempts = approver_attempts_key(actor, chosen)
        if (cache.get(attempts) or 0) >= APPROVER_MAX_FAILURES:
            raise ValidationError(
                {
                    "approver_password": _(
                        "Too many wrong passwords for this approver. Try again in 15 minutes."
                    )
                }
            )
        password = self.cleaned_data.get("approver_password") or ""
        if authenticate(username=chosen.get_username(), password=password) is None:
            cache.add(attempts, 0, APPROVER_LOCKOUT_SECONDS)  # the window starts at the first miss
            try:
                cache.incr(attempts)
            except ValueError:  # expired between add and incr
                cache.set(attempts, 1, APPROVER_LOCKOUT_SECONDS)
            raise ValidationError({"approver_password": _("The approver's password is not right.")})
        cache.delete(attempts)
        return chosen


class ReturnForm(forms.Form):
    count = forms.IntegerField(label=_("Keys counted"), min_value=0, max_value=99)


class InspectForm(forms.Form):
    facilities_intact = forms.BooleanField(label=_("Facilities intact"), required=False)
    clean = forms.BooleanField(label=_("Clean"), required=False)
    rectification = forms.CharField(
        label=_("To rectify"),
        required=False,
        max_length=300,
        help_text=_("Required when the inspection fails."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)


class ReissueForm(forms.Form):
    due_at = DateTimeLocalField(
        label=_("Due back"), required=False, help_text=_("Empty: the end of today.")
    )
