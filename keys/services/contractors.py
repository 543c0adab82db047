"""Contractors (施工方) and their registered responsible persons (docs/domain.md, Keys: only a
contractor's responsible person may borrow keys)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from keys.models import Contractor, ContractorPerson
from keys.services.common import NOT_ALLOWED, check_id_last4, check_phone
from propserv.access import check_actor, works_for
from propserv.roles import KEY_DESK


@transaction.atomic
def contractor_register(*, estate, name: str, phone: str = "", liaison=None, actor) -> Contractor:
    """Register a contractor working in `estate`; idempotent on the company name."""
    check_actor(actor, estate=estate, roles=KEY_DESK, message=NOT_ALLOWED)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the company name.")})
    if phone:
        phone = check_phone(phone, "phone")
    if liaison is not None and not works_for(liaison, estate):
        raise ValidationError({"liaison": _("The contact person does not work for this estate.")})
    contractor, _created = Contractor.objects.get_or_create(
        estate=estate, name=name, defaults={"phone": phone, "liaison": liaison}
    )
    return contractor


@transaction.atomic
def contractor_person_register(
    *, contractor: Contractor, name: str, phone: str, id_last4: str, actor
) -> ContractorPerson:
    """Register a contractor's responsible person; idempotent on name and phone."""
    check_actor(actor, estate=contractor.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the responsible person's name.")})
    phone = check_phone(phone, "phone")
    id_last4 = check_id_last4(id_last4, "id_last4")
    existing = contractor.people.filter(name=name, phone=phone).first()
    if existing is not None:
        return existing
    return ContractorPerson.objects.create(
        contractor=contractor, name=name, phone=phone, id_last4=id_last4
    )
