"""Indexes for the front desk's type-ahead on the core resident and unit tables.

LIKE 'prefix%' uses a btree only with the pattern operator classes whatever the database
collation; the reverse() expressions answer "ends with" (the last digits of a phone, the room
number of a unit code) the same way. Created here because only the reception lookup needs them.
"""

from django.db import migrations

INDEXES = [
    ("visits_resident_name_prefix", "propserv_resident", "estate_id, name varchar_pattern_ops"),
    ("visits_resident_phone_prefix", "propserv_resident", "estate_id, phone varchar_pattern_ops"),
    (
        "visits_resident_phone_suffix",
        "propserv_resident",
        "estate_id, (reverse(phone::text)) text_pattern_ops",
    ),
    ("visits_unit_code_prefix", "propserv_unit", "estate_id, code varchar_pattern_ops"),
    (
        "visits_unit_code_suffix",
        "propserv_unit",
        "estate_id, (reverse(code::text)) text_pattern_ops",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0001_initial"),
        ("propserv", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
