"""What the tickets serializers share: deadlines as the API shows them, and people's names."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from propserv.deadline_rules import deadline_state
from propserv.models import Deadline
from propserv.phones import phone_for

DEADLINE_COLUMNS = (
    "object_id",
    "kind",
    "started_at",
    "due_at",
    "warn_at",
    "warned_at",
    "met_at",
    "breached_at",
    "cancelled_at",
    "escalation_level",
    "provisional",
)


class DeadlineSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "kind",
            "started_at",
            "due_at",
            "warned_at",
            "met_at",
            "breached_at",
            "cancelled_at",
            "escalation_level",
            "provisional",
            "state",
        ]

    def get_state(self, obj) -> str:
        return obj.state(timezone.now())


def iso(value, tz=None):
    """A datetime as DRF's DateTimeField writes it: in the current time zone, UTC as "Z"."""
    if value is None:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def decimal(value):
    return None if value is None else str(value)  # DRF's default: decimals as strings


def deadline_representation(d, now) -> dict:
    """What DeadlineSerializer gives, built directly (it is on every row of every list)."""
    return deadline_dict({c: getattr(d, c) for c in DEADLINE_COLUMNS}, now)


def deadline_dict(d: dict, now, tz=None) -> dict:
    """DeadlineSerializer's output from a `DEADLINE_COLUMNS` mapping (a .values() row)."""
    return {
        "kind": d["kind"],
        "started_at": iso(d["started_at"], tz),
        "due_at": iso(d["due_at"], tz),
        "warned_at": iso(d["warned_at"], tz),
        "met_at": iso(d["met_at"], tz),
        "breached_at": iso(d["breached_at"], tz),
        "cancelled_at": iso(d["cancelled_at"], tz),
        "escalation_level": d["escalation_level"],
        "provisional": d["provisional"],
        "state": deadline_state(
            now=now,
            due_at=d["due_at"],
            warn_at=d["warn_at"],
            warned_at=d["warned_at"],
            met_at=d["met_at"],
            breached_at=d["breached_at"],
            cancelled_at=d["cancelled_at"],
        ),
    }


def name(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def viewer_phone(context, number: str) -> str:
    """`number` as the request's user may see it (propserv.phones.phone_for)."""
    request = context.get("request")
    return phone_for(request.user if request is not None else None, number)
