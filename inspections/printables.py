"""The printables of renovation, each one `propserv.documents.Document` (HTML print view and
PDF): the permit (装修许可证) for posting on site and the worker pass (临时出入证) with its QR code."""

from __future__ import annotations

import io

import qrcode
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from inspections.models import (
    GoodsRelease,
    PatrolItem,
    Rectification,
    Renovation,
    Verdict,
    WorkerPass,
)
from propserv.documents import Document, Fields, Grid, Heading, Picture, Signatures, Text


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(text, box_size=8, border=2).save(out, format="PNG")
    return out.getvalue()


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def permit_document(renovation: Renovation) -> Document:
    estate = renovation.estate
    scope = "、".join(
        [*renovation.scope_labels, renovation.scope_other]
        if renovation.scope_other
        else renovation.scope_labels
    )
    rows = [
        (_("Permit number"), renovation.permit_number),
        (_("Unit"), renovation.unit.code),
        (_("Owner"), renovation.owner.name),
        (_("Contractor"), renovation.contractor.name),
        (_("Responsible person"), f"{renovation.responsible.name} {renovation.responsible.phone}"),
        (_("Scope of work"), scope),
        (
            _("Permitted period"),
            f"{renovation.planned_start:%Y-%m-%d} — {renovation.planned_end:%Y-%m-%d}",
        ),
        (
            _("Approved"),
            f"{timezone.localtime(renovation.decided_at):%Y-%m-%d} · {_person(renovation.decided_by)}",
        ),
    ]
    if renovation.conditions:
        rows.append((_("Conditions"), renovation.conditions))
    blocks = [
        Fields(rows),
        Heading(_("Rules on site")),
        Text(
            _(
                "Work only within the permitted scope. No structural, façade or building additions. "
                "Keep a fire extinguisher on site; hot work only by a certified operator with precautions. "
                "Respect the working hours; bag the debris and move it only in the debris window; "
                "keep corridors and fire escapes clear. Workers carry their passes and leave by the end of work."
            )
        ),
        Text(
            _("Emergency: %(phone)s · Service centre: %(service)s")
            % {"phone": estate.emergency_phone or "—", "service": estate.service_phone or "—"}
        ),
        Signatures([_("Service centre (seal)"), _("Date")]),
    ]
    return Document(
        title=_("Renovation permit"),
        subtitle=estate.name,
        filename=f"permit-{renovation.permit_number}",
        blocks=blocks,
    )


def pass_document(worker_pass: WorkerPass, gate_url: str) -> Document:
    renovation = worker_pass.renovation
    blocks = [
        Fields(
            [
                (_("Pass number"), worker_pass.number),
                (pgettext("person", "Name"), worker_pass.name),
                (_("ID card ending"), worker_pass.id_last4),
                (_("Trade"), worker_pass.get_trade_display()),
                (_("Unit"), renovation.unit.code),
                (_("Contractor"), renovation.contractor.name),
                (
                    _("Valid"),
                    f"{worker_pass.valid_from:%Y-%m-%d} — {worker_pass.valid_until:%Y-%m-%d}",
                ),
            ]
        ),
        Picture(qr_png(gate_url), width_mm=35),
        Text(_("Show this pass at the gate. Leave the estate by the end of work.")),
    ]
    if worker_pass.photo:
        try:
            worker_pass.photo.open("rb")
            blocks.insert(1, Picture(worker_pass.photo.read(), width_mm=25))
        finally:
            worker_pass.photo.close()
    return Document(
        title=_("Worker pass"),
        subtitle=renovation.estate.name,
        filename=f"pass-{worker_pass.number}",
        blocks=blocks,
    )


def notice_document(notice: Rectification) -> Document:
    renovation = notice.renovation
    rows = [
        (_("Notice number"), notice.number),
        (_("Unit"), renovation.unit.code),
        (_("Permit number"), renovation.permit_number),
        (_("Contractor"), f"{renovation.contractor.name} · {renovation.responsible.name}"),
        (
            _("Issued"),
            f"{timezone.localtime(notice.issued_at):%Y-%m-%d %H:%M} · {_person(notice.issued_by)}",
        ),
        (_("Violations"), "、".join(notice.item_labels) or "—"),
        (_("What must be rectified"), notice.description),
        (_("Rectify by"), f"{timezone.localtime(notice.due_at):%Y-%m-%d %H:%M}"),
    ]
    blocks = [Fields(rows)]
    if notice.serious:
        blocks.append(Heading(_("STOP-WORK ORDER: all work stops until a re-inspection passes.")))
    checks = list(notice.reinspections.select_related("by"))
    if checks:
        blocks.append(
            Grid(
                [_("Re-inspected"), _("Result"), _("Notes")],
                [
                    [
                        f"{timezone.localtime(c.at):%Y-%m-%d %H:%M} {_person(c.by)}",
                        _("passed") if c.passed else _("failed"),
                        c.notes,
                    ]
                    for c in checks
                ],
            )
        )
    blocks.append(Signatures([_("Contractor's signature"), _("Inspector"), _("Date")]))
    return Document(
        title=_("Rectification notice"),
        subtitle=renovation.estate.name,
        filename=f"notice-{notice.number}",
        blocks=blocks,
    )


def release_document(release: GoodsRelease, gate_url: str) -> Document:
    return Document(
        title=_("Goods release slip"),
        subtitle=release.estate.name,
        filename=f"release-{release.number}",
        blocks=[
            Fields(
                [
                    (_("Slip number"), release.number),
                    (_("Unit"), release.unit.code),
                    (
                        _("Carried by"),
                        f"{release.carrier_name} · {release.get_carrier_kind_display()}",
                    ),
                    (_("Goods"), release.goods),
                    (_("How many"), str(release.quantity)),
                    (_("Vehicle"), release.vehicle or "—"),
                    (_("Valid on"), release.valid_on.isoformat()),
                    (_("Issued by"), _person(release.issued_by)),
                ]
            ),
            Picture(qr_png(gate_url), width_mm=35),
            Text(_("Valid once, on the day shown. The gate keeps this slip.")),
            Signatures([_("Service centre"), _("Gate")]),
        ],
    )


def patrol_record_document(renovation: Renovation) -> Document:
    """装修过程巡查表: every patrol of the renovation, one row each, a column per checklist item."""
    patrols = renovation.patrols.filter(done_at__isnull=False).select_related("done_by")
    marks = {Verdict.OK: "✓", Verdict.FAIL: "✗", Verdict.NA: "—"}
    headings = [_("Patrolled"), *[str(label) for label in PatrolItem.labels], _("Notes")]
    rows = [
        [
            f"{timezone.localtime(p.done_at):%m-%d %H:%M} {_person(p.done_by)}",
            *[marks.get(p.items.get(code), "") for code in PatrolItem.values],
            p.notes,
        ]
        for p in patrols
    ]
    return Document(
        title=_("Renovation patrol record"),
        subtitle=f"{renovation.estate.name} · {renovation.unit.code} · {renovation.permit_number}",
        filename=f"patrols-{renovation.permit_number}",
        blocks=[
            Text(_("✓ OK · ✗ violation · — not applicable")),
            Grid(headings, rows),
            Signatures([_("Inspector"), _("Supervisor")]),
        ],
    )
