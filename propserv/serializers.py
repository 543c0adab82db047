from rest_framework import serializers

from propserv.models import Building, Estate, Resident, Unit
from propserv.phones import phone_for


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
