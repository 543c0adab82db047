# Satisfaction surveys and residents' forums (docs/domain.md, "Satisfaction surveys").
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tickets.models.surveys


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_dashboard_indexes"),
        ("propserv", "0008_quality_surveys_routine_callbacks_departments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SurveyTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("active", models.BooleanField(default=True, verbose_name="in use")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("estate", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="survey_templates", to="propserv.estate", verbose_name="estate")),
            ],
            options={
                "verbose_name": "questionnaire template",
                "verbose_name_plural": "questionnaire templates",
                "ordering": ["estate", "name"],
                "constraints": [models.UniqueConstraint(fields=("estate", "name"), name="survey_template_name_unique_per_estate")],
            },
        ),
        migrations.CreateModel(
            name="SurveyQuestion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(default=1, verbose_name="number")),
                ("text", models.CharField(max_length=300, verbose_name="question")),
                ("service_line", models.CharField(choices=[("repairs", "Repairs"), ("cleaning", "Cleaning"), ("security", "Security"), ("customer_service", "Customer service"), ("landscaping", "Landscaping"), ("facilities", "Facilities and equipment"), ("overall", "Overall")], default="overall", max_length=24, verbose_name="service line")),
                ("min_score", models.PositiveSmallIntegerField(default=1, verbose_name="lowest score")),
                ("max_score", models.PositiveSmallIntegerField(default=5, verbose_name="highest score")),
                ("satisfied_from", models.PositiveSmallIntegerField(default=3, help_text="A score at or above this counts as satisfied.", verbose_name="satisfied from score")),
                ("template", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="questions", to="tickets.surveytemplate", verbose_name="questionnaire template")),
            ],
            options={
                "verbose_name": "survey question",
                "verbose_name_plural": "survey questions",
                "ordering": ["template", "position", "pk"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("min_score__lt", models.F("max_score"))), name="survey_question_range"),
                    models.CheckConstraint(condition=models.Q(("satisfied_from__gte", models.F("min_score")), ("satisfied_from__lte", models.F("max_score"))), name="survey_question_satisfied_in_range"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Survey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=100, verbose_name="title")),
                ("status", models.CharField(choices=[("sampled", "Sample drawn, to issue"), ("issued", "Issued, collecting returns"), ("closed", "Returns closed, results to publish"), ("published", "Results published")], default="sampled", max_length=16, verbose_name="status")),
                ("sample_percent", models.PositiveSmallIntegerField(verbose_name="households sampled (%)")),
                ("households_total", models.PositiveIntegerField(verbose_name="households in the estate")),
                ("seed", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="sample drawn at")),
                ("issued_at", models.DateTimeField(blank=True, null=True, verbose_name="questionnaires issued at")),
                ("returns_due_at", models.DateTimeField(blank=True, null=True, verbose_name="returns due by")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="returns closed at")),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="results published at")),
                ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("estate", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="surveys", to="propserv.estate", verbose_name="estate")),
                ("published_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("template", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="surveys", to="tickets.surveytemplate", verbose_name="questionnaire template")),
            ],
            options={
                "verbose_name": "satisfaction survey",
                "verbose_name_plural": "satisfaction surveys",
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["estate", "issued_at"], name="survey_estate_issued")],
            },
        ),
        migrations.CreateModel(
            name="SurveyHousehold",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(default=tickets.models.surveys.new_link_code, max_length=32, unique=True)),
                ("returned_at", models.DateTimeField(blank=True, null=True, verbose_name="questionnaire returned at")),
                ("channel", models.CharField(blank=True, choices=[("staff", "Recorded by staff"), ("link", "Filled in by the resident")], max_length=8, verbose_name="how")),
                ("comment", models.TextField(blank=True, verbose_name="resident's comment")),
                ("returned_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("survey", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="households", to="tickets.survey", verbose_name="survey")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="survey_samples", to="propserv.unit", verbose_name="unit")),
            ],
            options={
                "verbose_name": "sampled household",
                "verbose_name_plural": "sampled households",
                "ordering": ["survey", "unit__code"],
                "constraints": [models.UniqueConstraint(fields=("survey", "unit"), name="survey_household_once")],
            },
        ),
        migrations.CreateModel(
            name="SurveyAnswer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("score", models.PositiveSmallIntegerField(verbose_name="score")),
                ("household", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="answers", to="tickets.surveyhousehold")),
                ("question", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="answers", to="tickets.surveyquestion")),
            ],
            options={
                "verbose_name": "survey answer",
                "verbose_name_plural": "survey answers",
                "constraints": [models.UniqueConstraint(fields=("household", "question"), name="survey_answer_once")],
            },
        ),
        migrations.CreateModel(
            name="SurveyLetter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.TextField(verbose_name="open letter")),
                ("written_at", models.DateTimeField(auto_now_add=True)),
                ("survey", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="letters", to="tickets.survey")),
                ("written_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "open letter",
                "verbose_name_plural": "open letters",
                "ordering": ["-written_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="ResidentsForum",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("held_on", models.DateField(verbose_name="held on")),
                ("attendee_count", models.PositiveSmallIntegerField(verbose_name="number of attendees")),
                ("attendees", models.TextField(verbose_name="attendees")),
                ("minutes", models.TextField(verbose_name="minutes")),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                ("estate", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="residents_forums", to="propserv.estate", verbose_name="estate")),
                ("recorded_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "residents' forum",
                "verbose_name_plural": "residents' forums",
                "ordering": ["-held_on", "-pk"],
            },
        ),
    ]
