"""Reference data an API client needs to send codes: the repair categories and the price list of
each estate the user works for (issue 12, "The API a client can discover")."""

from __future__ import annotations

from rest_framework import serializers

from tickets.models import PriceItem, RepairCategory


class RepairCategorySerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = RepairCategory
        fields = ["id", "estate", "code", "name", "urgent", "major_incident", "active"]
        read_only_fields = fields


class PriceItemSerializer(serializers.ModelSerializer):
    estate = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PriceItem
        fields = ["id", "estate", "code", "name", "unit_label", "price", "active"]
        read_only_fields = fields
