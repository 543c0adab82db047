"""Models of the tickets app, one module per subject: repairs, callbacks (and complaints)."""

from tickets.models.callbacks import Callback, CallbackAttempt
from tickets.models.repairs import (
    Channel,
    PriceItem,
    Repair,
    RepairCategory,
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
    "PriceItem",
    "Repair",
    "RepairCategory",
    "RepairChargeLine",
    "RepairEvent",
    "RepairPhoto",
    "new_tracking_code",
    "repair_photo_path",
]
