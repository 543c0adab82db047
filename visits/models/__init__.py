"""Reception (客户来访接待): the duty log and everything the front desk records besides repairs
(docs/domain.md, Reception). One module per family:

- reception: Visit (one contact in the duty log) and its timeline VisitEvent;
- handover: Handover / HandoverItem (交接班记录);
- defects: Defect / DefectEvent (物业返修联系单);
- registers: LostItem (物品招领登记), Incident (突发事件记录);
- notices: Notice / NoticeCall / NoticeCallAttempt (通知);
- rentals: RentalListing, RentalSeeker, RentalMatch, Lease (房屋租赁);
- moveout: MoveOut (撤租);
- gate: GateVisitor (访客登记), OfficeTenant (租户名录), Parcel (代收代送登记).
"""

from visits.models.defects import Defect, DefectEvent
from visits.models.gate import GateVisitor, OfficeTenant, Parcel
from visits.models.handover import Handover, HandoverItem
from visits.models.moveout import MoveOut
from visits.models.notices import Notice, NoticeCall, NoticeCallAttempt
from visits.models.patrols import CommonPatrol, CommonPatrolProblem, PatrolPlace
from visits.models.reception import OWNER_CHANGE_BY_HANDOVER, Visit, VisitEvent, VisitQuerySet
from visits.models.registers import Incident, LostItem
from visits.models.relay import RelayEvent, RelayItem
from visits.models.rentals import Lease, RentalListing, RentalMatch, RentalSeeker
from visits.models.titles import TitleCertificate, TitleEvent

__all__ = [
    "OWNER_CHANGE_BY_HANDOVER",
    "Defect",
    "DefectEvent",
    "Handover",
    "HandoverItem",
    "Incident",
    "LostItem",
    "Notice",
    "NoticeCall",
    "NoticeCallAttempt",
    "Visit",
    "VisitEvent",
    "VisitQuerySet",
    # front-desk services: rentals, move-out, the gate
    "GateVisitor",
    "Lease",
    "MoveOut",
    "OfficeTenant",
    "Parcel",
    "RentalListing",
    "RentalMatch",
    "RentalSeeker",
    # information relay, common-area patrols, title certificates
    "CommonPatrol",
    "CommonPatrolProblem",
    "PatrolPlace",
    "RelayEvent",
    "RelayItem",
    "TitleCertificate",
    "TitleEvent",
]
