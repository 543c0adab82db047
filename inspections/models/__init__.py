"""The models of inspections, one module per family: the unit hand-over, renovations (application,
permit, timeline) and worker passes (docs/domain.md, "Renovation", "Hand-over and move-in")."""

from inspections.models.complaints import RenovationComplaint
from inspections.models.handover import UnitHandover, UnitHandoverQuerySet
from inspections.models.milestones import Milestone
from inspections.models.movein import MoveInAppointment, MoveInBatch, MoveInPlan, PrepItem
from inspections.models.passes import WorkerPass, WorkerPassQuerySet
from inspections.models.patrols import Patrol, PatrolItem, PatrolPhoto, Verdict
from inspections.models.predelivery import DefectType, InspectionRound, Problem
from inspections.models.quality import (
    SCORED_KINDS,
    CheckKind,
    Defect,
    DefectFix,
    DefectVerification,
    DutyFailure,
    FaultTransfer,
    NightCheckMonth,
    NonConformity,
    QualityCheck,
    QualityCheckPhoto,
    QualityTemplate,
    WeatherWarning,
)
from inspections.models.rectifications import Acceptance, Rectification, ReInspection
from inspections.models.releases import GoodsRelease
from inspections.models.renovations import (
    Renovation,
    RenovationDocument,
    RenovationEvent,
    RenovationQuerySet,
    Scope,
)

__all__ = [
    "SCORED_KINDS",
    "CheckKind",
    "Defect",
    "DefectFix",
    "DefectVerification",
    "DutyFailure",
    "FaultTransfer",
    "NightCheckMonth",
    "NonConformity",
    "QualityCheck",
    "QualityCheckPhoto",
    "QualityTemplate",
    "WeatherWarning",
    "DefectType",
    "InspectionRound",
    "Milestone",
    "MoveInAppointment",
    "MoveInBatch",
    "MoveInPlan",
    "PrepItem",
    "Problem",
    "Acceptance",
    "GoodsRelease",
    "ReInspection",
    "Rectification",
    "Patrol",
    "PatrolItem",
    "PatrolPhoto",
    "Renovation",
    "RenovationComplaint",
    "RenovationDocument",
    "RenovationEvent",
    "RenovationQuerySet",
    "Scope",
    "UnitHandover",
    "UnitHandoverQuerySet",
    "WorkerPass",
    "Verdict",
    "WorkerPassQuerySet",
]
