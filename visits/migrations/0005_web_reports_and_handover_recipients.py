"""A resident's web report is logged in the duty log with no receiver and no owner until the
desk takes it; a shift handover names the next shift's people it is addressed to
(docs/domain.md, Reception)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0004_timeline_codes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="visit",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="visits_owned",
                to=settings.AUTH_USER_MODEL,
                verbose_name="first-contact owner",
            ),
        ),
        migrations.AlterField(
            model_name="visit",
            name="received_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="received by",
            ),
        ),
        migrations.AddField(
            model_name="handover",
            name="recipients",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="handed over to",
            ),
        ),
    ]
