from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from keys.models import Contractor, ContractorPerson, Key, KeyEvent, KeyLoan
from propserv.models import Estate
from propserv.phones import phone_for
from propserv.roles import can_see_phones
from propserv.web import estates_for


class OpenLoanSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyLoan
        fields = ["id", "borrower_name", "lent_at", "due_at", "status"]


class KeySerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.CharField(source="owner.name", read_only=True, default=None)
    opens = serializers.CharField(read_only=True)
    open_loan = serializers.SerializerMethodField()

    class Meta:
        model = Key
        fields = [
            "id",
            "estate",
            "tag_code",
            "unit",
            "area",
            "opens",
            "kind",
            "description",
            "count",
            "in_cabinet_count",
            "slot",
            "state",
            "owner",
            "open_loan",
            "registered_at",
        ]

    def get_open_loan(self, obj) -> dict | None:
        loans = getattr(obj, "open_loans", None)
        loan = loans[0] if loans else (obj.open_loan() if loans is None else None)
        return OpenLoanSerializer(loan).data if loan else None


class KeyCreateSerializer(serializers.Serializer):
    estate = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Estate.objects.none(),
        help_text="An estate's `code` (the estates of /api/v1/me/).",
    )
    kind = serializers.ChoiceField(choices=[Key.Kind.DEVELOPER, Key.Kind.COMMON])
    unit = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The unit's code in the estate (e.g. 3-2-1502), as on /api/v1/keys/.",
    )
    area = serializers.CharField(required=False, allow_blank=True, default="")
    count = serializers.IntegerField(min_value=1, max_value=99)
    slot = serializers.CharField(max_length=16)
    tag_code = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent when the schema is generated
        if request is not None:
            self.fields["estate"].queryset = estates_for(request.user)

    def validate(self, data):
        code = data.pop("unit", "").strip()
        data["unit_obj"] = None
        if code:
            unit = data["estate"].units.filter(code=code).first()
            if unit is None:
                raise serializers.ValidationError(
                    {"unit": _("No unit %(code)s in this estate.") % {"code": code}}
                )
            data["unit_obj"] = unit
        return data


class KeyEventSerializer(serializers.ModelSerializer):
    """A ledger event: codes as stored, the parties and the reason rendered in the reader's
    language (from_party, to_party and reason keep their names for the API's clients)."""

    actor = serializers.SerializerMethodField()
    label = serializers.CharField(source="action_label", read_only=True)
    from_party = serializers.CharField(source="from_text", read_only=True)
    to_party = serializers.CharField(source="to_text", read_only=True)
    reason = serializers.CharField(source="why_text", read_only=True)

    class Meta:
        model = KeyEvent
        fields = [
            "id",
            "kind",
            "label",
            "at",
            "actor",
            "from_party",
            "to_party",
            "reason",
            "count",
            "slot",
            "loan",
            "data",
        ]

    def get_actor(self, obj) -> str:
        return obj.actor.get_full_name() or obj.actor.get_username()


class KeyLoanSerializer(serializers.ModelSerializer):
    key_tag = serializers.CharField(source="key.tag_code", read_only=True)
    opens = serializers.CharField(source="key.opens", read_only=True)
    borrower_phone = serializers.SerializerMethodField()
    close_note = serializers.SerializerMethodField(help_text="Why the loan closed, rendered.")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = KeyLoan
        fields = [
            "id",
            "key",
            "key_tag",
            "opens",
            "borrower_kind",
            "borrower_staff",
            "borrower_person",
            "borrower_name",
            "borrower_phone",
            "reason",
            "related_ref",
            "count",
            "lent_at",
            "due_at",
            "approved_by",
            "status",
            "returned_at",
            "returned_count",
            "closed_at",
            "close_reason",
            "close_note",
            "overdue",
        ]

    def get_borrower_phone(self, obj) -> str:
        request = self.context.get("request")
        return phone_for(request.user if request is not None else None, obj.borrower_phone)

    def get_close_note(self, obj) -> str:
        return obj.close_label

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.now())


def _viewer(serializer):
    request = serializer.context.get("request")
    return request.user if request is not None else None


class ContractorPersonSerializer(serializers.ModelSerializer):
    """A responsible person: the `id` is what a loan's `borrower_person` takes."""

    phone = serializers.SerializerMethodField(help_text="Whole for the desk roles, else masked.")
    id_last4 = serializers.SerializerMethodField(
        help_text="Empty unless the viewer is at the desk."
    )

    class Meta:
        model = ContractorPerson
        fields = ["id", "name", "phone", "id_last4", "active"]

    def get_phone(self, obj) -> str:
        return phone_for(_viewer(self), obj.phone)

    def get_id_last4(self, obj) -> str:
        return obj.id_last4 if can_see_phones(_viewer(self)) else ""


class ContractorSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phone = serializers.SerializerMethodField(help_text="Whole for the desk roles, else masked.")
    liaison = serializers.SlugRelatedField(slug_field="username", read_only=True)
    people = ContractorPersonSerializer(many=True, read_only=True)

    class Meta:
        model = Contractor
        fields = ["id", "estate", "name", "phone", "liaison", "active", "people"]

    def get_phone(self, obj) -> str:
        return phone_for(_viewer(self), obj.phone)


class LendSerializer(serializers.Serializer):
    borrower_staff = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A staff member of the key's estate: an `id` from /api/v1/staff/.",
    )
    borrower_person = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A contractor's responsible person: a `people[].id` from /api/v1/contractors/.",
    )
    phone = serializers.CharField(max_length=20)
    count = serializers.IntegerField(min_value=1, max_value=99)
    reason = serializers.CharField(max_length=200)
    related_ref = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    approve = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A supervisor lending beyond the estate's limit approves it with this flag.",
    )
    approval_note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class LoanCreateSerializer(LendSerializer):
    key = serializers.IntegerField(help_text="The key to lend: an `id` from /api/v1/keys/.")


class ReturnSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0, max_value=99)


class InspectSerializer(serializers.Serializer):
    facilities_intact = serializers.BooleanField()
    clean = serializers.BooleanField()
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    rectification = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class ReissueSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class MoveSerializer(serializers.Serializer):
    slot = serializers.CharField(max_length=16)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
