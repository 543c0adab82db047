"""Phone numbers: the one validator and the one masking rule (138****5678).

Resident data is confidential: whoever does not phone residents back sees masked numbers, on
pages, in the API and in exports alike (docs/domain.md, "Confidentiality").
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from propserv.roles import can_see_phones

# A mainland mobile (11 digits from 13–19), a landline with its area code, or a local 7–8 digit
# number. The whole number: 1380013800 (a digit short) is refused.
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|[2-9]\d{6,7})$")


def phone_validator(value: str) -> None:
    """A function, not a RegexValidator, so that tightening the rule needs no migration."""
    if value and not PHONE_RE.match(value):
        raise ValidationError(
            _(
                "Enter a mainland mobile number (11 digits starting with 1) or a landline such as 0755-12345678."
            ),
            code="invalid_phone",
        )


def mask_phone(phone: str) -> str:
    """138****5678: enough to confirm with the caller, not enough to copy. A shorter (local or
    landline) number keeps only its last two digits, or it would show nearly whole."""
    digits = phone or ""
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 2:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


def phone_for(viewer, phone: str) -> str:
    """`phone` as `viewer` may see it: whole for those who call residents back, masked else."""
    return phone if can_see_phones(viewer) else mask_phone(phone)
