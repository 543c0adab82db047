"""The models of inspections, one module per family: the unit hand-over, renovations (application,
permit, timeline) and worker passes (docs/domain.md, "Renovation", "Hand-over and move-in")."""

from inspections.models.complaints import RenovationComplaint
from inspections.models.handover import UnitHandover, UnitHandoverQuerySet
from inspections.models.passes import WorkerPass, WorkerPassQuerySet
from inspections.models.patrols import Patrol, PatrolItem, PatrolPhoto, Verdict
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
