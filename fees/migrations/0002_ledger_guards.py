"""PostgreSQL guard for the fees ledger (docs/domain.md, "Fees"): LedgerEntry rows are
append-only; any UPDATE or DELETE raises (a correction is a new reversal entry). TRUNCATE is
deliberately not blocked: the test database flush uses it and no application code issues it.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION fees_ledgerentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'fee ledger entries are append-only: % of entry % refused', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER fees_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON fees_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION fees_ledgerentry_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS fees_ledgerentry_append_only ON fees_ledgerentry;
DROP FUNCTION IF EXISTS fees_ledgerentry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("fees", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
