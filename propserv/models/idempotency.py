"""The API's memory of `Idempotency-Key`s: a client that retries a create after a timeout or a
dropped connection gets the first answer back instead of a second record (propserv.idempotency)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class IdempotencyRecord(models.Model):
    """One (user, scope, key): written in the same transaction as the record it created, so a
    request that dies half-way leaves neither. Not history: old rows are purged after
    IDEMPOTENCY_KEEP_HOURS (a retry comes within minutes, not days)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=64)  # which create, e.g. "repairs.create"
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # sha256 of the request body
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope", "key"], name="idempotency_key_once_per_user_and_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
