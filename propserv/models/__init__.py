"""The shared core's models, one module per family. Import them from here (`propserv.models`)."""

from propserv.models.calendar import CalendarDay, CalendarYear
from propserv.models.deadlines import Deadline, DeadlineEscalation, DeadlineQuerySet
from propserv.models.departments import Department, DepartmentHead
from propserv.models.estate_settings import EstateSettings
from propserv.models.estates import (
    Building,
    Estate,
    EstateQuerySet,
    EstateScopedQuerySet,
    Resident,
    ResidentQuerySet,
    StaffProfile,
    Unit,
    estate_ids_of,
)
from propserv.models.idempotency import IdempotencyRecord
from propserv.models.notifications import Notification, NotificationQuerySet
from propserv.models.timelines import TimelineEvent
from propserv.phones import phone_validator  # old migrations name it here

__all__ = [
    "Building",
    "CalendarDay",
    "CalendarYear",
    "Deadline",
    "DeadlineEscalation",
    "DeadlineQuerySet",
    "Department",
    "DepartmentHead",
    "Estate",
    "EstateQuerySet",
    "EstateScopedQuerySet",
    "EstateSettings",
    "IdempotencyRecord",
    "Notification",
    "NotificationQuerySet",
    "Resident",
    "ResidentQuerySet",
    "StaffProfile",
    "TimelineEvent",
    "Unit",
    "estate_ids_of",
    "phone_validator",
]
