# Routine callbacks (docs/domain.md, "Callbacks"): the callback queue also holds planned callbacks
# (household visits, repair-works follow-ups, paid-service and emergency callbacks); the
# administrators' areas and the register of key households.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_surveys"),
        ("propserv", "0008_quality_surveys_routine_callbacks_departments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="callback",
            name="callback_for_a_repair_or_a_complaint",
        ),
        migrations.AddField(
            model_name="callback",
            name="kind",
            field=models.CharField(
                choices=[
                    ("problem", "Problem callback"),
                    ("admin_visit", "Administrator's quarterly visit"),
                    ("head_visit", "Office head's yearly visit"),
                    ("repair_followup", "Repair works follow-up"),
                    ("paid_midway", "Special paid service: midway"),
                    ("paid_end", "Special paid service: at the end"),
                    ("emergency", "Emergency assistance"),
                ],
                default="problem",
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.AddField(
            model_name="callback",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="routine_callbacks",
                to="propserv.unit",
                verbose_name="unit",
            ),
        ),
        migrations.AddField(
            model_name="callback",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="routine_callbacks",
                to="propserv.resident",
                verbose_name="resident",
            ),
        ),
        migrations.AddField(
            model_name="callback",
            name="followup_repair",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="followups",
                to="tickets.repair",
                verbose_name="repair followed up",
            ),
        ),
        migrations.AddField(
            model_name="callback",
            name="period_start",
            field=models.DateField(blank=True, null=True, verbose_name="visit period"),
        ),
        migrations.AddField(
            model_name="callback",
            name="topic",
            field=models.CharField(blank=True, max_length=200, verbose_name="about"),
        ),
        migrations.AddConstraint(
            model_name="callback",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("complaint__isnull", False), ("kind", "problem"), ("repair__isnull", True)
                    ),
                    models.Q(
                        ("complaint__isnull", True), ("kind", "problem"), ("repair__isnull", False)
                    ),
                    models.Q(
                        models.Q(("kind", "problem"), _negated=True),
                        ("complaint__isnull", True),
                        ("repair__isnull", True),
                        ("unit__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="callback_for_a_repair_or_a_complaint",
            ),
        ),
        migrations.AddConstraint(
            model_name="callback",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("followup_repair__isnull", False), ("kind", "repair_followup")),
                    models.Q(
                        models.Q(("kind", "repair_followup"), _negated=True),
                        ("followup_repair__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="callback_followup_names_its_repair",
            ),
        ),
        migrations.AddConstraint(
            model_name="callback",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind__in", ("admin_visit", "head_visit")), _negated=True),
                    ("period_start__isnull", False),
                    _connector="OR",
                ),
                name="callback_visit_has_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="callback",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind__in", ("admin_visit", "head_visit"))),
                fields=("kind", "unit", "period_start"),
                name="callback_visit_once_per_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="callback",
            constraint=models.UniqueConstraint(
                condition=models.Q(("followup_repair__isnull", False)),
                fields=("followup_repair",),
                name="callback_followup_once_per_repair",
            ),
        ),
        migrations.CreateModel(
            name="AdministratorArea",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "estate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="administrator_areas",
                        to="propserv.estate",
                    ),
                ),
                (
                    "administrator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="administrator_areas",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="area administrator",
                    ),
                ),
                (
                    "buildings",
                    models.ManyToManyField(
                        blank=True,
                        related_name="administrator_areas",
                        to="propserv.building",
                        verbose_name="buildings",
                    ),
                ),
                (
                    "units",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Units outside the buildings above that belong to this area.",
                        related_name="administrator_areas",
                        to="propserv.unit",
                        verbose_name="single units",
                    ),
                ),
            ],
            options={
                "verbose_name": "administrator's area",
                "verbose_name_plural": "administrators' areas",
                "ordering": ["estate", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("estate", "name"), name="admin_area_name_per_estate"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="KeyHousehold",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reason",
                    models.CharField(max_length=200, verbose_name="why it is a key household"),
                ),
                ("added_at", models.DateTimeField(verbose_name="added at")),
                (
                    "removed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="taken off the register at"
                    ),
                ),
                (
                    "removed_reason",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="why it was taken off"
                    ),
                ),
                (
                    "estate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="key_households",
                        to="propserv.estate",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="key_households",
                        to="propserv.unit",
                        verbose_name="unit",
                    ),
                ),
                (
                    "resident",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="key_households",
                        to="propserv.resident",
                        verbose_name="resident",
                    ),
                ),
                (
                    "added_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "removed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "key household",
                "verbose_name_plural": "key households",
                "ordering": ["unit__code"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("removed_at__isnull", True)),
                        fields=("unit",),
                        name="key_household_once_on_register",
                    )
                ],
            },
        ),
    ]
