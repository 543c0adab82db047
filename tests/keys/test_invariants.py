"""What PostgreSQL itself guarantees about keys, proved on the real database."""

from __future__ import annotations

import datetime as dt
import random
import re
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from keys import services
from keys.models import Key, KeyEvent, KeyLoan
from keys.selectors import key_ledger_check
from propserv.errors import InvalidTransition
from tests.factories import UnitFactory
from tests.keys.helpers import at, entrusted_key, make_key, make_owner, make_person

# --- one open loan per key: 50 threads at once ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_fifty_threads_lending_the_same_key_exactly_one_wins(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    borrowers = [staff["technician"], staff["patrol"], staff["area_admin"], staff["quality"]]
    n = 50
    barrier = threading.Barrier(n)
    won, refused, crashed = [], [], []

    def attempt(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            loan = services.loan_lend(
                key=key,
                borrower_staff=borrowers[i % len(borrowers)],
                phone="13700000000",
                count=1,
                reason=f"线程 {i}",
                actor=staff["frontdesk"],
            )
            won.append(loan.pk)
        except InvalidTransition as exc:
            refused.append(str(exc.message))
        except Exception as exc:  # anything else is a bug the test must show
            crashed.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert crashed == []
    assert len(won) == 1 and len(refused) == n - 1
    loan = KeyLoan.objects.get(pk=won[0])
    since = loan.lent_at.astimezone(at().tzinfo).strftime("%H:%M")
    pattern = re.compile(
        rf"(already on loan to {re.escape(loan.borrower_name)} since {since}"
        rf"|已借给 {re.escape(loan.borrower_name)}（{since} 起）)"
    )
    assert all(pattern.search(message) for message in refused), refused[:3]
    assert KeyLoan.objects.filter(key=key, closed_at__isnull=True).count() == 1
    assert KeyEvent.objects.filter(key=key, kind="lent").count() == 1
    assert key_ledger_check(key) == []


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_loan_even_without_the_service(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    loan = services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="x",
        actor=staff["frontdesk"],
        at=at(10, 9),
    )
    fields = {
        f.attname: getattr(loan, f.attname)
        for f in KeyLoan._meta.concrete_fields
        if f.attname != "id"
    }
    with pytest.raises(IntegrityError, match="key_one_open_loan"), transaction.atomic():
        KeyLoan.objects.create(**fields)


# --- gone keys cannot be lent -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_a_loan_of_a_returned_lost_or_retired_key(estate, unit, staff):
    e = entrusted_key(make_owner(unit), staff)
    services.entrustment_release(
        entrustment=e,
        collector_is_owner=True,
        collector_name="",
        collector_id_last4="1234",
        identity_checked=True,
        actor=staff["frontdesk"],
    )
    key = Key.objects.get(pk=e.key_id)
    with pytest.raises(IntegrityError, match="cannot be lent"), transaction.atomic():
        KeyLoan.objects.create(
            estate=estate,
            key=key,
            borrower_kind="staff",
            borrower_staff=staff["technician"],
            borrower_name="x",
            borrower_phone="13700000000",
            reason="x",
            count=1,
            lent_at=at(10, 9),
            lent_by=staff["frontdesk"],
            due_at=at(10, 18),
        )
    # and a gone key has nothing in the cabinet to take: the count cannot be brought back
    with (
        pytest.raises(IntegrityError, match="key_gone_has_nothing_in_cabinet"),
        transaction.atomic(),
    ):
        Key.objects.filter(pk=key.pk).update(in_cabinet_count=1)


# --- counts never negative --------------------------------------------------------------------


@pytest.mark.django_db
def test_counts_never_go_negative(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit, count=1)
    services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="x",
        actor=staff["frontdesk"],
    )
    with pytest.raises(IntegrityError, match="key_in_cabinet_within_count"), transaction.atomic():
        Key.objects.filter(pk=key.pk).update(in_cabinet_count=F("in_cabinet_count") - 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Key.objects.filter(pk=key.pk).update(count=-1)
    with pytest.raises(IntegrityError, match="keyloan_count_positive"), transaction.atomic():
        KeyLoan.objects.filter(key=key).update(count=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyEvent.objects.filter(key=key).model.objects.create(
            estate=estate, key=key, kind="lent", at=at(), actor=staff["frontdesk"], count=-2
        )


# --- the ledger is append-only ----------------------------------------------------------------


@pytest.mark.django_db
def test_key_events_cannot_be_edited_or_deleted(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    event = KeyEvent.objects.get(key=key)
    event.reason = "改写历史"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        KeyEvent.objects.filter(pk=event.pk).update(reason="改写历史")
    with pytest.raises(TypeError):
        KeyEvent.objects.filter(pk=event.pk).delete()
    # Below the ORM, the PostgreSQL trigger refuses too.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("UPDATE keys_keyevent SET reason = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM keys_keyevent WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.reason != "改写历史"
    assert KeyEvent.objects.filter(key=key).count() == 1


# --- the state derived from the events always matches -----------------------------------------


@pytest.mark.django_db
def test_state_rederived_from_events_matches_after_a_random_sequence(estate, staff):
    """Drive random operations (valid and invalid) over a few keys; after every step the state
    re-derived from each key's ledger equals the stored state."""
    rng = random.Random(20261122)
    desk, patrol = staff["frontdesk"], staff["patrol"]
    person = make_person(estate, desk)
    units = [UnitFactory(building__estate=estate, code=f"9-1-{100 + i}") for i in range(3)]
    keys = [make_key(estate, desk, u, count=rng.randint(1, 3)) for u in units]
    keys.append(entrusted_key(make_owner(units[0]), staff, slot="E-09").key)
    minute = 0
    applied = {
        "lend": 0,
        "return": 0,
        "inspect": 0,
        "reissue": 0,
        "move": 0,
        "lost": 0,
        "release": 0,
    }

    def when():
        nonlocal minute
        minute += 7
        return at(3, 8) + dt.timedelta(minutes=minute)

    for _step in range(150):
        key = Key.objects.get(pk=rng.choice(keys).pk)
        loan = KeyLoan.objects.filter(key=key, closed_at__isnull=True).first()
        op = rng.choice(
            ["lend", "lend", "return", "return", "inspect", "reissue", "move", "lost", "release"]
        )
        try:
            with transaction.atomic():
                if op == "lend":
                    who = (
                        {"borrower_person": person}
                        if rng.random() < 0.5
                        else {"borrower_staff": staff["technician"]}
                    )
                    services.loan_lend(
                        key=key,
                        phone="13700000000",
                        count=rng.randint(1, key.count),
                        reason="随机",
                        actor=desk,
                        at=when(),
                        **who,
                    )
                elif op == "return" and loan is not None:
                    counted = loan.count if rng.random() < 0.8 else loan.count + 1
                    services.loan_return(loan=loan, count=counted, actor=desk, at=when())
                elif op == "inspect" and loan is not None:
                    ok = rng.random() < 0.5
                    services.loan_inspect(
                        loan=loan,
                        facilities_intact=True,
                        clean=ok,
                        rectification="" if ok else "不干净",
                        actor=patrol,
                        at=when(),
                    )
                elif op == "reissue" and loan is not None:
                    services.loan_reissue(loan=loan, actor=desk, at=when())
                elif op == "move":
                    services.key_move(key=key, slot=f"R-{rng.randint(1, 6)}", actor=desk, at=when())
                elif op == "lost" and rng.random() < 0.1:
                    services.incident_report(
                        key=key,
                        kind="lost",
                        description="随机丢失",
                        responsible_party="x",
                        actor=desk,
                        at=when(),
                    )
                elif op == "release" and key.kind == "entrusted":
                    services.entrustment_release(
                        entrustment=key.entrustment,
                        collector_is_owner=True,
                        collector_name="",
                        collector_id_last4="1234",
                        identity_checked=True,
                        actor=desk,
                        at=when(),
                    )
                else:
                    continue
            applied[op] += 1
        except InvalidTransition:
            pass
        except Exception as exc:  # ValidationError from a wrong count or a taken slot
            assert exc.__class__.__name__ == "ValidationError", repr(exc)
        for k in keys:
            assert key_ledger_check(k) == [], (op, k.tag_code)
    assert applied["lend"] > 5 and applied["return"] > 3 and applied["inspect"] > 1, applied
