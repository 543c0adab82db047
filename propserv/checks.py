"""System checks that keep the extension points honest (run by `manage.py check` and at start-up).

- propserv.E001: a deadline kind an app declared has no policy (its clock would climb a default
  ladder nobody chose).
- propserv.E002: a timeline model has no `Action` choices, or an action without a written label
  (it would show a raw code on the page).
"""

from __future__ import annotations

from django.apps import apps
from django.core import checks
from django.db import models
from django.utils.functional import Promise

from propserv.models import TimelineEvent
from propserv.registry import registry


@checks.register()
def deadline_kinds_have_policies(app_configs=None, **kwargs):
    return [
        checks.Error(
            f"Deadline kind {kind!r} (declared by {app}) has no DeadlinePolicy registered.",
            hint="Register one with registry.add_deadline_policy in the app's AppConfig.ready.",
            id="propserv.E001",
        )
        for kind, app in sorted(registry.deadline_kinds.items())
        if kind not in registry.deadline_policies
    ]


@checks.register()
def timeline_actions_have_labels(app_configs=None, **kwargs):
    errors = []
    for model in apps.get_models():
        # Every TimelineEvent, and any other event log that names its actions (the key ledger).
        declared = getattr(model, "Action", None)
        is_log = isinstance(declared, type) and issubclass(declared, models.Choices)
        if not (issubclass(model, TimelineEvent) or is_log):
            continue
        actions = model.Action
        if actions is None:
            errors.append(
                checks.Error(
                    f"{model._meta.label} has no Action choices.",
                    hint="Name its actions in a TextChoices and set it as `Action`.",
                    obj=model,
                    id="propserv.E002",
                )
            )
            continue
        for member in actions:
            # Without a written label TextChoices invents a plain "Foo Bar" from FOO_BAR; a
            # written one is a lazy translation, rendered in the reader's language.
            if not isinstance(member.label, Promise):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}: action {member.value!r} has no translatable label.",
                        obj=model,
                        id="propserv.E002",
                    )
                )
    return errors
