"""`Idempotency-Key` for the API's creates: a client that did not hear the answer (a timeout, a
dropped connection, a web worker killed mid-request) sends the same request again with the same
key and gets the first answer back, never a second repair, complaint, entry or loan.

How: the key is claimed by inserting its row (unique per user, scope and key) in the same
transaction as the create, before the create runs. A second request with the same key waits on
that unique index until the first commits, then reads the stored answer; if the first failed,
nothing of it is left (its claim rolled back with it) and the retry runs afresh. The same key
with another body is a 409. Answers are replayed with their status and an
`Idempotent-Replayed: true` header. See docs/architecture.md, "Retries and idempotency".
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from propserv.errors import InvalidTransition
from propserv.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 100

# For @extend_schema(parameters=[IDEMPOTENCY_PARAMETER]) on every create that honours it.
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (e.g. a UUID) of up to 100 characters. Sending the same request again "
        "with the same key returns the first answer instead of creating a second record; the same "
        "key with another body is refused with 409."
    ),
)


def fingerprint(data) -> str:
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def replay_or_run(request, scope: str, run: Callable[[], Response]) -> Response:
    key = (request.headers.get(HEADER) or "").strip()
    if not key or not request.user.is_authenticated:
        return run()
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            {
                HEADER: [
                    _("An Idempotency-Key has at most %(n)d characters.") % {"n": MAX_KEY_LENGTH}
                ]
            }
        )
    body = fingerprint(request.data)
    with transaction.atomic():
        record, claimed = IdempotencyRecord.objects.get_or_create(
            user=request.user, scope=scope, key=key, defaults={"fingerprint": body}
        )
        if not claimed:
            if record.fingerprint != body:
                raise InvalidTransition(
                    _("This Idempotency-Key was already used for a different request."),
                    code="idempotency_key_reused",
                )
            replay = Response(record.response, status=record.status_code)
            replay[REPLAYED_HEADER] = "true"
            return replay
        response = run()
        if not 200 <= response.status_code < 300:
            # Refusals are not remembered: the client may correct the request and retry.
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.response = response.data
        record.save(update_fields=["status_code", "response"])
        return response


def idempotent(scope: str):
    """Decorates a DRF view's `create(self, request, …)` with `replay_or_run`."""

    def decorate(create):
        @functools.wraps(create)
        def wrapper(self, request, *args, **kwargs):
            return replay_or_run(request, scope, lambda: create(self, request, *args, **kwargs))

        return wrapper

    return decorate
