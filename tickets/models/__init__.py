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
from tickets.models.routine import AdministratorArea, KeyHousehold
from tickets.models.surveys import (
    ResidentsForum,
    ServiceLine,
    Survey,
    SurveyAnswer,
    SurveyHousehold,
    SurveyLetter,
    SurveyQuestion,
    SurveyTemplate,
)

__all__ = [
    "AdministratorArea",
    "KeyHousehold",
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
    "ResidentsForum",
    "SecondHandling",
    "ServiceLine",
    "Survey",
    "SurveyAnswer",
    "SurveyHousehold",
    "SurveyLetter",
    "SurveyQuestion",
    "SurveyTemplate",
    "new_tracking_code",
    "repair_photo_path",
]
