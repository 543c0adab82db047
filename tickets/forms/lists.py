"""The filters of the drill-down lists (all repairs, complaints, all callbacks): the query
parameters every dashboard figure links with (docs/domain.md, Dashboards). Each form checks the
shape of one GET; a value it cannot use is reported and that filter is left out, the others still
apply (`filters_of`)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from propserv.models import Building, Estate
from propserv.roles import Role
from tickets.models import Callback, Complaint, Repair, RepairCategory
from tickets.selectors import timeliness as t

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]


def verdict_choices(verdicts) -> list[tuple[str, object]]:
    return [("", _("Any")), *((v, t.VERDICT_LABELS[v]) for v in verdicts)]


class EstateField(forms.CharField):
    """An estate of the user's, by id (what the dashboard links with) or by code (what the other
    pages pass); shown as a select of the user's estates."""

    def __init__(self, *, estates, **kwargs):
        self.estates = estates
        super().__init__(
            label=_("Estate"),
            required=False,
            widget=forms.Select(
                choices=[("", _("All my estates")), *((e.pk, e.name) for e in estates)]
            ),
            **kwargs,
        )

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        for estate in self.estates:
            if value == str(estate.pk) or value == estate.code:
                return estate
        raise ValidationError(_("Choose one of your estates."), code="invalid_choice")


class ListFilterForm(forms.Form):
    """What the three list forms share: the estate and a text search."""

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.estates = list(Estate.objects.for_user(user).order_by("name"))
        self.fields = {"estate": EstateField(estates=self.estates), **self.fields}

    def filters(self) -> dict:
        """The values that passed (errors are left out, `errors` says which)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}


def _date_range_check(form, start: str, end: str) -> None:
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and first > last:
        form.add_error(end, _("The end date is before the start date."))
        form.cleaned_data.pop(end, None)


class RepairListForm(ListFilterForm):
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=Repair.Status.choices
    )
    urgent = forms.ChoiceField(label=_("Urgent"), required=False, choices=YES_NO)
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=RepairCategory.objects.none(),
        empty_label=_("Any category"),
    )
    building = forms.ModelChoiceField(
        label=_("Building"),
        required=False,
        queryset=Building.objects.none(),
        empty_label=_("Any building"),
    )
    technician = forms.ModelChoiceField(
        label=_("Technician"),
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label=_("Any technician"),
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DATE)
    received_to = forms.DateField(label=_("Received to"), required=False, widget=DATE)
    arrival = forms.ChoiceField(
        label=_("Arrival"), required=False, choices=verdict_choices(t.ARRIVAL_VERDICTS)
    )
    completion = forms.ChoiceField(
        label=_("Completion time"), required=False, choices=verdict_choices(t.COMPLETION_VERDICTS)
    )
    reopened = forms.ChoiceField(label=_("Reopened"), required=False, choices=YES_NO)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("Number, unit or name")}),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        ids = [e.pk for e in self.estates]
        many = len(ids) > 1
        self.fields["category"].queryset = RepairCategory.objects.filter(
            estate__in=ids
        ).select_related("estate")
        self.fields["category"].label_from_instance = lambda c: (
            f"{c.estate.name} · {c.name}" if many else c.name
        )
        self.fields["building"].queryset = Building.objects.filter(estate__in=ids).select_related(
            "estate"
        )
        self.fields["building"].label_from_instance = lambda b: (
            f"{b.estate.name} · {b.name or b.code}" if many else (b.name or b.code)
        )
        # The technicians of the user's estates, and whoever a link names (a deadline's owner).
        wanted = Q(groups__name=Role.TECHNICIAN)
        named = str((data or {}).get("technician") or "")
        if named.isdigit():
            wanted |= Q(pk=int(named))
        self.fields["technician"].queryset = (
            get_user_model()
            .objects.filter(wanted, staff__estates__in=ids)
            .distinct()
            .order_by("first_name", "username", "pk")
        )
        self.fields["technician"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self):
        data = super().clean()
        _date_range_check(self, "received_from", "received_to")
        return data


class ComplaintListForm(ListFilterForm):
    """The complaint list's filters; without any of them the page shows the open complaints of
    the current estate, as it always did."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("open", _("Open")), *Complaint.Status.choices],
    )
    grade = forms.MultipleChoiceField(
        label=_("Grade"),
        required=False,
        choices=[("none", _("Not graded")), *Complaint.Grade.choices],
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any category")), *Complaint.Category.choices],
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DATE)
    received_to = forms.DateField(label=_("Received to"), required=False, widget=DATE)
    reply = forms.ChoiceField(
        label=_("Reply"), required=False, choices=verdict_choices(t.REPLY_VERDICTS)
    )
    deadline = forms.ChoiceField(
        label=_("Deadlines"),
        required=False,
        choices=[
            ("", _("Any deadline state")),
            ("overdue", _("Overdue")),
            ("due_soon", _("Due soon")),
            ("on_time", _("On time")),
            ("provisional", _("Provisional calendar")),
        ],
    )
    repeat = forms.BooleanField(label=_("Repeats only"), required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("Number, unit or name")}),
    )

    def clean(self):
        data = super().clean()
        _date_range_check(self, "received_from", "received_to")
        return data


class CallbackListForm(ListFilterForm):
    kind = forms.ChoiceField(
        label=_("Ticket"),
        required=False,
        choices=[
            ("", _("All callbacks")),
            ("problem", _("Repairs and complaints")),
            ("repair", _("Repairs")),
            ("complaint", _("Complaints")),
            ("routine", _("Routine callbacks")),
        ],
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=Callback.Status.choices
    )
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE)
    due_to = forms.DateField(label=_("Due to"), required=False, widget=DATE)
    timeliness = forms.ChoiceField(
        label=_("Timeliness"), required=False, choices=verdict_choices(t.CALLBACK_VERDICTS)
    )
    first_attempt = forms.ChoiceField(
        label=_("Reached on the first attempt"), required=False, choices=YES_NO
    )
    satisfied = forms.ChoiceField(label=_("Satisfied"), required=False, choices=YES_NO)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("Number, unit or name")}),
    )

    def clean(self):
        data = super().clean()
        _date_range_check(self, "due_from", "due_to")
        return data
