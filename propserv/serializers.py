from rest_framework import serializers

from propserv.models import Building, Estate, Notification, Resident, Unit
from propserv.phones import phone_for
from propserv.roles import Role


class EstateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Estate
        fields = ["id", "code", "name", "kind", "address", "service_phone", "emergency_phone"]


class BuildingSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Building
        fields = ["id", "estate", "code", "name", "floors"]


class UnitSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    building = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "estate", "building", "code", "floor", "area_m2", "use", "status"]


class ResidentSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = [
            "id",
            "estate",
            "unit",
            "name",
            "phone",
            "phone_invalid",
            "role",
            "moved_in_on",
            "moved_out_on",
        ]

    def get_phone(self, obj) -> str:
        request = self.context.get("request")
        return phone_for(getattr(request, "user", None), obj.phone)


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    is_working_day = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=["workday", "weekend", "holiday", "adjusted_workday"])
    name = serializers.CharField(allow_blank=True)
    provisional = serializers.BooleanField()


class CalendarDayWriteSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=["holiday", "workday", "normal"])
    name = serializers.CharField(max_length=64, allow_blank=True, required=False, default="")


class StaffSerializer(serializers.Serializer):
    """A colleague as a client needs them (to dispatch, assign, address): ids and roles."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    estates = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()

    def get_roles(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all())

    def get_estates(self, user) -> list[str]:
        profile = getattr(user, "staff", None)
        return sorted(e.code for e in profile.estates.all()) if profile else []

    def get_phone(self, user) -> str:
        profile = getattr(user, "staff", None)
        request = self.context.get("request")
        return phone_for(getattr(request, "user", None), profile.phone if profile else "")


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "level", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    is_superuser = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    estates = serializers.ListField(child=serializers.CharField())
    unread_notifications = serializers.IntegerField()
