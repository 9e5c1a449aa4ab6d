"""Insert model instances with an INSERT statement composed once per model and database.

``Model.save()`` and ``bulk_create()`` compose and compile their SQL anew on every call,
and on the check-in write path (three inserts per check-in) that cost more CPU than
SQLite's own work. ``insert_rows`` composes each model's INSERT once and then prepares
each value exactly as the ORM does (``Field.pre_save`` then ``Field.get_db_prep_save``,
so defaults, JSON and encrypted fields behave the same). It runs on the connection the
router picks for writes, inside whatever transaction is open.

It is for plain inserts on the hottest paths only: no signals are sent (``bulk_create``
sends none either), an auto-incremented primary key is not read back (the instances
keep ``pk=None``), and models with multi-table inheritance are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model

_statements: dict[tuple[type[Model], str], tuple[str, list[Field[Any, Any]]]] = {}


def _statement(model: type[Model], alias: str) -> tuple[str, list[Field[Any, Any]]]:
    key = (model, alias)
    if key not in _statements:
        meta = model._meta
        if meta.parents:
            raise ValueError(f"{meta.label} inherits from another model; use save()")
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        qn = connections[alias].ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        _statements[key] = (f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})", fields)
    return _statements[key]


def insert_rows(objs: Sequence[Model]) -> None:
    """INSERT these new instances of one model, in one statement (``executemany`` for several)."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, fields = _statement(model, alias)
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
