"""The timeline every record keeps (a repair's, a complaint's, a visit's …).

Rows store codes and parameters, never text translated when they were written: each subclass
names its `Action` choices (and the subject's `Status` choices), and the labels are rendered when
a page is shown, in the reader's language. The system check `propserv.E002` refuses a timeline
whose actions have no label (docs/architecture.md, "Timelines").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimelineEvent(models.Model):
    """Base of every record's timeline (a repair's, a complaint's…): who did what, when, from which
    state to which. Append-only: corrections are new events."""

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(
        max_length=64, blank=True, help_text="who, when not a staff login"
    )
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    subject_field = ""  # set by each subclass: its foreign key to the record of this timeline
    # Set by each subclass: the TextChoices of its actions, and of its subject's states.
    Action: type[models.TextChoices] | None = None
    Status: type[models.TextChoices] | None = None

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    @classmethod
    def record(
        cls,
        subject,
        *,
        action: str,
        actor=None,
        at=None,
        from_status: str = "",
        to_status: str = "",
        note: str = "",
        data=None,
        actor_label: str = "",
        **fields,
    ):
        """Append one event to `subject`'s timeline. `actor` None (or anonymous) is the system or
        a resident, named by `actor_label`; `fields` are the subclass's own columns. `note` is
        what a person typed; anything the code says goes into `data` as parameters."""
        if cls.Action is not None and action not in cls.Action.values:
            raise ValueError(f"{cls.__name__}: unknown timeline action {action!r}")
        staff = actor if actor is not None and actor.is_authenticated else None
        return cls.objects.create(
            **{cls.subject_field: subject},
            at=at or timezone.now(),
            actor=staff,
            actor_label=actor_label,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=data or {},
            **fields,
        )

    @property
    def actor_name(self) -> str:
        if self.actor_id:
            return self.actor.get_full_name() or self.actor.get_username()
        return self.actor_label

    @property
    def action_label(self) -> str:
        return _choice_label(self.Action, self.action)

    @property
    def from_label(self) -> str:
        return _choice_label(self.Status, self.from_status)

    @property
    def to_label(self) -> str:
        return _choice_label(self.Status, self.to_status)

    @property
    def detail(self) -> str:
        """The event's parameters as a sentence in the reader's language (subclasses say how)."""
        return ""


def _choice_label(choices, code: str) -> str:
    if not code:
        return ""
    if choices is not None and code in choices.values:
        return str(choices(code).label)
    return code
