"""After-sales defects on the unit's problem list (docs/domain.md, "Hand-over and move-in"):
inspections (a lower layer) shows one list of everything open on a unit — its inspection and
move-in problems — and asks the apps above for their rows at the hook "unit.problems". Visits
answers with the unit's after-sales rework forms (物业返修联系单); visits.extensions registers it."""

from __future__ import annotations

from visits.models import Defect

UNIT_PROBLEMS = "unit.problems"  # inspections.selectors.handover.UNIT_PROBLEMS


def after_sales_rows(unit) -> list[dict]:
    rows = []
    for defect in Defect.objects.filter(unit=unit).order_by("created_at", "id"):
        rows.append(
            {
                "number": defect.number,
                "source": "after_sales",  # inspections shows the label
                "location": defect.location,
                "kind": defect.description[:60],
                "severity": "",
                "status": defect.get_status_display(),
                "is_open": defect.status != Defect.Status.ACCEPTED,
                "found_at": defect.created_at,
                "url": defect.get_absolute_url(),
            }
        )
    return rows
