# Half-yearly billing: the months a charge covers (1 or 6). The ageing index in (estate, unit,
# period) order carrying everything the per-unit aggregate reads (an index-only scan, no sort).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fees", "0004_owner_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="charge",
            name="months",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="months covered"),
        ),
        migrations.AddConstraint(
            model_name="charge",
            constraint=models.CheckConstraint(
                condition=models.Q(("months__in", [1, 6])), name="fees_charge_months_one_or_six"
            ),
        ),
        migrations.RemoveIndex(model_name="charge", name="fees_charge_open"),
        migrations.AddIndex(
            model_name="charge",
            index=models.Index(
                condition=models.Q(("cancelled_at__isnull", True), ("paid__lt", models.F("amount"))),
                fields=["estate", "unit", "period"],
                include=("due_on", "amount", "paid", "months", "run"),
                name="fees_charge_open",
            ),
        ),
    ]
