"""Indexes of the managers' dashboard (tickets.kpis): repairs by received time and callbacks by
due time within an estate, failed callback attempts (the Deadline table's own are in propserv 0007)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("propserv", "0005_settings_fees_and_targets"),
        ("tickets", "0006_photos_and_reference_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="callback",
            index=models.Index(fields=["estate", "due_at"], name="callback_estate_due"),
        ),
        migrations.AddIndex(
            model_name="repair",
            index=models.Index(fields=["estate", "received_at"], name="repair_estate_received"),
        ),
        migrations.AddIndex(
            model_name="callbackattempt",
            index=models.Index(
                condition=models.Q(("outcome", "reached"), _negated=True),
                fields=["callback", "at"],
                name="callback_attempt_failed",
            ),
        ),
    ]
