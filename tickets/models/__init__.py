"""Models of the tickets app, one module per subject: repairs (and their reference data),
complaints, callbacks."""

from tickets.models.callbacks import Callback, CallbackAttempt, SecondHandling
from tickets.models.complaints import (
    Complaint,
    ComplaintEvent,
    ComplaintExtension,
    ComplaintReply,
    MonthlyComplaintReport,
)
from tickets.models.reference import PriceItem, RepairCategory
from tickets.models.repairs import (
    Channel,
    Repair,
    RepairChargeLine,
    RepairEvent,
    RepairPhoto,
    new_tracking_code,
    repair_photo_path,
)

__all__ = [
    "Callback",
    "CallbackAttempt",
    "Channel",
    "Complaint",
    "ComplaintEvent",
    "ComplaintExtension",
    "ComplaintReply",
    "MonthlyComplaintReport",
    "PriceItem",
    "Repair",
    "RepairCategory",
    "RepairChargeLine",
    "RepairEvent",
    "RepairPhoto",
    "SecondHandling",
    "new_tracking_code",
    "repair_photo_path",
]
