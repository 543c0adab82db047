# The hand-over flow (issue 16): pre-hand-over inspection problems, move-in plans, batches and
# appointments, key milestones; the unit hand-over grows its appointment and override reason.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import inspections.models.predelivery


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0005_complaint_links"),
        ("propserv", "0008_quality_surveys_routine_callbacks_departments"),
        ("fees", "0005_charge_months"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MoveInBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=64, verbose_name="batch")),
                ("day", models.DateField(verbose_name="day")),
                (
                    "staffing",
                    models.CharField(blank=True, max_length=200, verbose_name="staff on duty"),
                ),
            ],
            options={
                "verbose_name": "move-in batch",
                "verbose_name_plural": "move-in batches",
                "ordering": ["day", "id"],
            },
        ),
        migrations.AddField(
            model_name="unithandover",
            name="override_reason",
            field=models.TextField(
                blank=True, verbose_name="accepted despite blocking problems because"
            ),
        ),
        migrations.CreateModel(
            name="DefectType",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=64, verbose_name="defect type")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "estate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="defect_types",
                        to="propserv.estate",
                        verbose_name="estate",
                    ),
                ),
            ],
            options={
                "verbose_name": "defect type",
                "verbose_name_plural": "defect types",
                "ordering": ["estate", "name"],
            },
        ),
        migrations.CreateModel(
            name="InspectionRound",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=64, verbose_name="round")),
                ("started_on", models.DateField(verbose_name="started on")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "building",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="propserv.building",
                        verbose_name="building",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "estate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inspection_rounds",
                        to="propserv.estate",
                        verbose_name="estate",
                    ),
                ),
            ],
            options={
                "verbose_name": "inspection round",
                "verbose_name_plural": "inspection rounds",
                "ordering": ["-started_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Milestone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("project", models.CharField(max_length=100, verbose_name="project")),
                ("name", models.CharField(max_length=200, verbose_name="milestone")),
                ("due_on", models.DateField(verbose_name="due on")),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done at")),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "done_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "estate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="propserv.estate",
                        verbose_name="estate",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="responsible",
                    ),
                ),
            ],
            options={
                "verbose_name": "key milestone",
                "verbose_name_plural": "key milestones",
                "ordering": ["due_on", "id"],
            },
        ),
        migrations.CreateModel(
            name="MoveInAppointment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("time", models.TimeField(blank=True, null=True, verbose_name="time")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("booked", "Booked"),
                            ("arrived", "Arrived"),
                            ("accepted", "Accepted"),
                            ("refused", "Refused"),
                        ],
                        default="booked",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                (
                    "arrived_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="arrived at"),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("reasons", models.TextField(blank=True, verbose_name="reasons for refusal")),
                (
                    "override_reason",
                    models.TextField(
                        blank=True, verbose_name="reason to accept despite blocking problems"
                    ),
                ),
                (
                    "charges_billed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="charges billed at"),
                ),
                (
                    "welcome_visited_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="welcome visit at"),
                ),
                (
                    "welcome_note",
                    models.CharField(blank=True, max_length=300, verbose_name="welcome visit note"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "estate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="propserv.estate",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="propserv.resident",
                        verbose_name="owner",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="move_in_appointments",
                        to="propserv.unit",
                        verbose_name="unit",
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="inspections.moveinbatch",
                        verbose_name="batch",
                    ),
                ),
            ],
            options={
                "verbose_name": "move-in appointment",
                "verbose_name_plural": "move-in appointments",
                "ordering": ["day", "time", "unit__code", "id"],
            },
        ),
        migrations.AddField(
            model_name="unithandover",
            name="appointment",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="handover",
                to="inspections.moveinappointment",
                verbose_name="move-in appointment",
            ),
        ),
        migrations.CreateModel(
            name="MoveInPlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="plan")),
                ("staffing", models.TextField(blank=True, verbose_name="staffing")),
                ("risks", models.TextField(blank=True, verbose_name="risk pre-assessment")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "charge_items",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="fees.chargeitem",
                        verbose_name="move-in charges",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "estate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="move_in_plans",
                        to="propserv.estate",
                        verbose_name="estate",
                    ),
                ),
            ],
            options={
                "verbose_name": "move-in plan",
                "verbose_name_plural": "move-in plans",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="moveinbatch",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="batches",
                to="inspections.moveinplan",
            ),
        ),
        migrations.CreateModel(
            name="PrepItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.CharField(max_length=200, verbose_name="preparation")),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done at")),
                (
                    "done_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="prep_items",
                        to="inspections.moveinplan",
                    ),
                ),
            ],
            options={
                "verbose_name": "preparation item",
                "verbose_name_plural": "preparation items",
                "ordering": ["plan", "id"],
            },
        ),
        migrations.CreateModel(
            name="Problem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("inspection", "Internal inspection"),
                            ("move_in", "Owner's inspection at move-in"),
                        ],
                        default="inspection",
                        max_length=16,
                        verbose_name="found in",
                    ),
                ),
                ("location", models.CharField(max_length=100, verbose_name="room or location")),
                (
                    "severity",
                    models.CharField(
                        choices=[
                            ("minor", "Minor"),
                            ("major", "Major"),
                            ("blocking", "Blocks hand-over"),
                        ],
                        default="minor",
                        max_length=16,
                        verbose_name="severity",
                    ),
                ),
                (
                    "description",
                    models.CharField(blank=True, max_length=500, verbose_name="description"),
                ),
                (
                    "photo",
                    models.ImageField(
                        blank=True,
                        upload_to=inspections.models.predelivery.problem_photo_path,
                        verbose_name="photo",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("fixed", "Fixed, to re-check"),
                            ("closed", "Closed"),
                        ],
                        default="open",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("created_at", models.DateTimeField(verbose_name="found at")),
                ("fixed_at", models.DateTimeField(blank=True, null=True, verbose_name="fixed at")),
                (
                    "evidence",
                    models.CharField(
                        blank=True, max_length=500, verbose_name="evidence of the fix"
                    ),
                ),
                (
                    "evidence_photo",
                    models.ImageField(
                        blank=True,
                        upload_to=inspections.models.predelivery.problem_photo_path,
                        verbose_name="photo of the fix",
                    ),
                ),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                (
                    "recheck_failures",
                    models.PositiveSmallIntegerField(default=0, verbose_name="failed re-checks"),
                ),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problems",
                        to="inspections.moveinappointment",
                        verbose_name="move-in appointment",
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "defect_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problems",
                        to="inspections.defecttype",
                        verbose_name="defect type",
                    ),
                ),
                (
                    "estate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="propserv.estate",
                    ),
                ),
                (
                    "fixed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problems",
                        to="inspections.inspectionround",
                        verbose_name="round",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problems",
                        to="propserv.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "problem",
                "verbose_name_plural": "problems",
                "ordering": ["unit__code", "created_at", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="defecttype",
            constraint=models.UniqueConstraint(
                fields=("estate", "name"), name="defect_type_unique_name"
            ),
        ),
        migrations.AddConstraint(
            model_name="moveinappointment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["booked", "arrived", "accepted"])),
                fields=("unit",),
                name="movein_one_live_appointment_per_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="moveinappointment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "refused"), _negated=True),
                    models.Q(("reasons", ""), _negated=True),
                    _connector="OR",
                ),
                name="movein_refusal_has_reasons",
            ),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(fields=["estate", "status"], name="handover_problem_status"),
        ),
        migrations.AddConstraint(
            model_name="problem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "closed"), _negated=True),
                    ("closed_at__isnull", False),
                    _connector="OR",
                ),
                name="handover_problem_closed_has_time",
            ),
        ),
    ]
