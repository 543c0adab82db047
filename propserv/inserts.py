"""One INSERT for many rows, skipping the ones a unique constraint already holds.

Django's `bulk_create(ignore_conflicts=True)` cannot say which rows went in, and `get_or_create`
costs four statements a row (SELECT, SAVEPOINT, INSERT, RELEASE). The hot paths — a deadline
opened with every repair, a notification to every person an escalation reaches — need one
statement that inserts what is new, leaves what exists, and tells which is which.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def insert_new(objs: Sequence[Model], key: Sequence[str]) -> list[Model]:
    """`INSERT … ON CONFLICT DO NOTHING RETURNING pk, <key>` for `objs` (all of one model).

    `key` names the columns (attnames) that tell the objects of this call apart, e.g.
    ("recipient_id",) when every row carries the same dedupe key. Returns the objects actually
    inserted, with their primary key set; an object whose row conflicted with an existing one is
    left out (and keeps pk None). Call it inside the caller's transaction: no savepoint is needed,
    because DO NOTHING never raises on a duplicate.
    """
    if not objs:
        return []
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    by_key = {tuple(getattr(obj, k) for k in key): obj for obj in objs}
    if len(by_key) != len(objs):
        raise ValueError(f"insert_new: objects share a key {tuple(key)}")
    params: list = []
    for obj in objs:
        for f in fields:
            params.append(f.get_db_prep_save(f.pre_save(obj, add=True), connection))
    q = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Only identifiers from the model's metadata are formatted in; every value is a parameter.
    columns = ", ".join(q(f.column) for f in fields)
    returning = ", ".join(q(c) for c in [meta.pk.column, *(meta.get_field(k).column for k in key)])
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(objs))} "  # noqa: S608  # nosec B608 - quoted column/table names from the model; values are parameters
        f"ON CONFLICT DO NOTHING RETURNING {returning}"
    )
    inserted = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, *values in cursor.fetchall():
            obj = by_key[tuple(values)]
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
            inserted.append(obj)
    return inserted
