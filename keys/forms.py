"""Forms of the key cabinet: they check the shape of the input; the services check the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.models import Key, KeyIncident
from keys.permissions import APPROVE_ROLES, CUSTODIAN_ROLES, DESK_ROLES
from propserv.access import staff_of
from propserv.roles import Role

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# Approver passwords typed at the desk: after this many wrong ones within the window, the pair
# (actor, approver) is locked out until the window ends.
APPROVER_MAX_FAILURES = 5
APPROVER_LOCKOUT_SECONDS = 15 * 60


def approver_attempts_key(actor, approver) -> str:
    return f"keys:approver-password:{actor.pk}:{approver.pk}"


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                message = " ".join(error.messages)
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, " ".join(exc.messages))


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


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


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
        from propserv.models import Resident

        self.fields["owner"].queryset = unit.residents.current().filter(role=Resident.Role.OWNER)


class HandoverForm(forms.Form):
    handed_by = StaffChoiceField(
        label=_("Handed over by (front desk)"), queryset=None, empty_label=None
    )
    handed_to = StaffChoiceField(label=_("Received by (area administrator)"), queryset=None)
    slot = forms.CharField(label=_("Cabinet slot"), max_length=16)

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handed_by"].queryset = staff_of(estate, Role.FRONT_DESK, *DESK_ROLES)
        self.fields["handed_to"].queryset = staff_of(estate, *CUSTODIAN_ROLES)


class OwnerCallForm(forms.Form):
    phone = forms.CharField(label=_("Number called"), max_length=20)
    collector_name = forms.CharField(label=_("Person the owner named to collect"), max_length=64)
    confirmed = forms.BooleanField(
        label=_("The owner confirmed this person may collect the key"), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class CallChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        from django.utils import timezone

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
        from propserv.models import Resident

        self.fields["owner"].queryset = unit.residents.current().filter(role=Resident.Role.OWNER)
        keys = unit.keys.filter(kind=Key.Kind.DEVELOPER, state=Key.State.IN_CABINET)
        self.fields["keys"].queryset = keys
        self.fields["keys"].initial = list(keys.values_list("pk", flat=True))


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
        self.fields["approved_by"].queryset = staff_of(estate, *APPROVE_ROLES)

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
        from keys.permissions import has_role

        chosen = self.cleaned_data.get("approved_by")
        if chosen is None and has_role(actor, *APPROVE_ROLES):
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


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
