"""The printable letters of tickets, as propserv.documents Documents (one HTML print view and
one PDF for each): the reply to a complaint on the estate's letterhead."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.documents import Document, Text


def reply_letter(complaint, reply) -> Document:
    estate = complaint.estate
    centre = f"{estate.name}{_(' customer-service centre')}"
    contacts = []
    if estate.address:
        contacts.append(estate.address)
    if estate.service_phone:
        contacts.append(f"{_('Tel.')} {estate.service_phone}")
    if estate.emergency_phone:
        contacts.append(f"{_('24-hour emergency')} {estate.emergency_phone}")
    day = timezone.localtime(reply.replied_at).date().isoformat()
    name = complaint.complainant_name or (complaint.unit.code if complaint.unit_id else "")
    received = timezone.localtime(complaint.received_at).date().isoformat()
    return Document(
        title=centre,
        subtitle=" · ".join(contacts),
        filename=f"reply-{complaint.number}-{reply.pk}",
        blocks=[
            Text(f"{_('Ref.')} {complaint.number}\n{day}"),
            Text(_("Dear %(name)s,") % {"name": name}),
            Text(
                _(
                    "Thank you for your complaint received on %(date)s. We apologise for the "
                    "inconvenience caused."
                )
                % {"date": received}
            ),
            Text(reply.text),
            Text(_("If you have any further questions, please contact our service centre.")),
            Text(f"{centre}\n{day}"),
        ],
    )
