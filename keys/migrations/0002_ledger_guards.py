"""PostgreSQL guards for the key ledger, beyond what Django constraints can say.

1. KeyEvent rows are append-only: any UPDATE or DELETE raises (corrections are new events).
   TRUNCATE is deliberately not blocked: it is what the test database flush uses, and no
   application code can issue it.
2. A key that is returned to its owner, lost or retired can never get a new loan, however the
   insert arrives (the services refuse it first with a clear message).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION keys_keyevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'key events are append-only: % of key event % refused', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER keys_keyevent_append_only
    BEFORE UPDATE OR DELETE ON keys_keyevent
    FOR EACH ROW EXECUTE FUNCTION keys_keyevent_append_only();

CREATE OR REPLACE FUNCTION keys_keyloan_key_lendable() RETURNS trigger AS $$
DECLARE
    key_state varchar;
BEGIN
    SELECT state INTO key_state FROM keys_key WHERE id = NEW.key_id;
    IF key_state IN ('returned_to_owner', 'lost', 'retired', 'at_desk') THEN
        RAISE EXCEPTION 'key % is % and cannot be lent', NEW.key_id, key_state
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER keys_keyloan_key_lendable
    BEFORE INSERT ON keys_keyloan
    FOR EACH ROW EXECUTE FUNCTION keys_keyloan_key_lendable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS keys_keyloan_key_lendable ON keys_keyloan;
DROP FUNCTION IF EXISTS keys_keyloan_key_lendable();
DROP TRIGGER IF EXISTS keys_keyevent_append_only ON keys_keyevent;
DROP FUNCTION IF EXISTS keys_keyevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("keys", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
