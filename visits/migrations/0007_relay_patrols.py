# Information relay, common-area patrols and title certificates
# (docs/domain.md, "Front-desk services").
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0006_front_desk_services"),
        ("propserv", "0008_quality_surveys_routine_callbacks_departments"),
        ("keys", "0005_ledger_text_to_codes"),
        ("tickets", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CommonPatrol",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "slot",
                    models.CharField(
                        choices=[("am", "Morning round"), ("pm", "Afternoon round")],
                        max_length=2,
                        verbose_name="which round",
                    ),
                ),
                ("due_at", models.DateTimeField(verbose_name="round due by")),
                (
                    "done_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="patrolled at"),
                ),
                ("results", models.JSONField(blank=True, default=dict, verbose_name="checklist")),
                ("notes", models.CharField(blank=True, max_length=500, verbose_name="notes")),
                (
                    "done_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="patrolled by",
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
            ],
            options={
                "verbose_name": "common-area patrol",
                "verbose_name_plural": "common-area patrols",
                "ordering": ["-day", "slot"],
            },
        ),
        migrations.CreateModel(
            name="PatrolPlace",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="place")),
                (
                    "look_at",
                    models.CharField(blank=True, max_length=200, verbose_name="what to check"),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                ("active", models.BooleanField(default=True, verbose_name="on the checklist")),
                (
                    "estate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="propserv.estate",
                        verbose_name="estate",
                    ),
                ),
            ],
            options={
                "verbose_name": "patrol checklist place",
                "verbose_name_plural": "patrol checklist",
                "ordering": ["estate", "order", "id"],
            },
        ),
        migrations.CreateModel(
            name="RelayItem",
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
                            ("desk", "Reported to the desk"),
                            ("common_patrol", "Common-area patrol"),
                            ("vacant_inspection", "Vacant-unit inspection"),
                        ],
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                (
                    "reporter",
                    models.CharField(
                        choices=[("resident", "Resident"), ("staff", "Staff member")],
                        max_length=10,
                        verbose_name="reported by",
                    ),
                ),
                ("location", models.CharField(blank=True, max_length=120, verbose_name="location")),
                (
                    "department",
                    models.CharField(
                        choices=[
                            ("customer_service", "Customer service"),
                            ("engineering", "Engineering and repairs"),
                            ("security", "Security"),
                            ("cleaning", "Cleaning"),
                            ("landscaping", "Landscaping"),
                            ("management", "Management office"),
                            ("other", "Other"),
                        ],
                        max_length=32,
                        verbose_name="department",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("reported", "Waiting for a department head"),
                            ("routed", "With the department"),
                            ("done", "Done, to be checked"),
                            ("checked", "Checked"),
                        ],
                        default="reported",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "routed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="passed to the head at"
                    ),
                ),
                (
                    "expected_on",
                    models.DateField(blank=True, null=True, verbose_name="expected completion"),
                ),
                (
                    "resident_told_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="resident told at"),
                ),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done at")),
                (
                    "done_note",
                    models.CharField(blank=True, max_length=500, verbose_name="what was done"),
                ),
                (
                    "checked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="checked at"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "checked_by",
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
                    "head",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="relay_items",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="department head",
                    ),
                ),
                (
                    "reported_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member who reported",
                    ),
                ),
                (
                    "vacant_inspection",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="relay_item",
                        to="keys.vacantinspection",
                        verbose_name="vacant-unit inspection",
                    ),
                ),
                (
                    "visit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="relay",
                        to="visits.visit",
                        verbose_name="reception entry",
                    ),
                ),
            ],
            options={
                "verbose_name": "relay item",
                "verbose_name_plural": "information relay",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="RelayEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField()),
                (
                    "actor_label",
                    models.CharField(
                        blank=True, help_text="who, when not a staff login", max_length=64
                    ),
                ),
                ("action", models.CharField(max_length=32)),
                ("from_status", models.CharField(blank=True, max_length=16)),
                ("to_status", models.CharField(blank=True, max_length=16)),
                ("note", models.TextField(blank=True)),
                ("data", models.JSONField(blank=True, default=dict)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="visits.relayitem",
                    ),
                ),
            ],
            options={"ordering": ["at", "id"], "abstract": False},
        ),
        migrations.CreateModel(
            name="CommonPatrolProblem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("description", models.CharField(max_length=500, verbose_name="problem")),
                (
                    "patrol",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problems",
                        to="visits.commonpatrol",
                    ),
                ),
                (
                    "repair",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tickets.repair",
                        verbose_name="repair",
                    ),
                ),
                (
                    "place",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="visits.patrolplace",
                        verbose_name="place",
                    ),
                ),
                (
                    "relay",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="patrol_problem",
                        to="visits.relayitem",
                        verbose_name="relay item",
                    ),
                ),
            ],
            options={
                "verbose_name": "patrol problem",
                "verbose_name_plural": "patrol problems",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="TitleCertificate",
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
                        choices=[("fees", "Paid in full (fees)"), ("import", "Imported list")],
                        max_length=8,
                        verbose_name="source",
                    ),
                ),
                ("listed_on", models.DateField(verbose_name="waiting since")),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("listed", "Waiting for documents"),
                            ("collected", "Documents collected"),
                            ("submitted", "Submitted"),
                            ("issued", "Issued, ready for the owner"),
                            ("handed", "Handed to the owner"),
                        ],
                        default="listed",
                        max_length=10,
                        verbose_name="stage",
                    ),
                ),
                (
                    "collected_on",
                    models.DateField(blank=True, null=True, verbose_name="documents collected on"),
                ),
                (
                    "submitted_on",
                    models.DateField(blank=True, null=True, verbose_name="submitted on"),
                ),
                ("issued_on", models.DateField(blank=True, null=True, verbose_name="issued on")),
                (
                    "handed_on",
                    models.DateField(blank=True, null=True, verbose_name="handed to the owner on"),
                ),
                (
                    "owner_notified_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="owner notified at"),
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
                        related_name="title_certificates",
                        to="propserv.resident",
                        verbose_name="owner",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="title_certificates",
                        to="propserv.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "title certificate",
                "verbose_name_plural": "title certificates",
                "ordering": ["listed_on", "unit__code"],
            },
        ),
        migrations.CreateModel(
            name="TitleEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField()),
                (
                    "actor_label",
                    models.CharField(
                        blank=True, help_text="who, when not a staff login", max_length=64
                    ),
                ),
                ("action", models.CharField(max_length=32)),
                ("from_status", models.CharField(blank=True, max_length=16)),
                ("to_status", models.CharField(blank=True, max_length=16)),
                ("note", models.TextField(blank=True)),
                ("data", models.JSONField(blank=True, default=dict)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "certificate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="visits.titlecertificate",
                    ),
                ),
            ],
            options={"ordering": ["at", "id"], "abstract": False},
        ),
        migrations.AddConstraint(
            model_name="commonpatrol",
            constraint=models.UniqueConstraint(
                fields=("estate", "day", "slot"), name="common_patrol_one_per_round"
            ),
        ),
        migrations.AddConstraint(
            model_name="commonpatrol",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("done_at__isnull", True), ("done_by__isnull", False), _connector="OR"
                ),
                name="common_patrol_done_by_someone",
            ),
        ),
        migrations.AddConstraint(
            model_name="patrolplace",
            constraint=models.UniqueConstraint(
                fields=("estate", "name"), name="patrol_place_unique_name"
            ),
        ),
        migrations.AddIndex(
            model_name="relayitem",
            index=models.Index(fields=["estate", "status"], name="relay_estate_status"),
        ),
        migrations.AddConstraint(
            model_name="relayitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("head__isnull", True), ("status", "reported")),
                    models.Q(
                        ("done_at__isnull", True), ("head__isnull", False), ("status", "routed")
                    ),
                    models.Q(
                        ("done_at__isnull", False), ("head__isnull", False), ("status", "done")
                    ),
                    models.Q(
                        ("checked_at__isnull", False),
                        ("done_at__isnull", False),
                        ("status", "checked"),
                    ),
                    _connector="OR",
                ),
                name="relay_status_matches_stamps",
            ),
        ),
        migrations.AddConstraint(
            model_name="commonpatrolproblem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("relay__isnull", True), ("repair__isnull", False)),
                    models.Q(("relay__isnull", False), ("repair__isnull", True)),
                    _connector="OR",
                ),
                name="patrol_problem_repair_or_relay",
            ),
        ),
        migrations.AddConstraint(
            model_name="titlecertificate",
            constraint=models.UniqueConstraint(
                fields=("unit", "owner"), name="title_one_per_owner_unit"
            ),
        ),
        migrations.AddConstraint(
            model_name="titlecertificate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("stage", "listed"),
                    models.Q(("collected_on__isnull", False), ("stage", "collected")),
                    models.Q(("stage", "submitted"), ("submitted_on__isnull", False)),
                    models.Q(("issued_on__isnull", False), ("stage", "issued")),
                    models.Q(("handed_on__isnull", False), ("stage", "handed")),
                    _connector="OR",
                ),
                name="title_stage_has_date",
            ),
        ),
    ]
