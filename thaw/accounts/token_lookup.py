"""The bearer-token lookup: one indexed SELECT, written once per database connection.

Every API request starts here, so it is the hottest query in Thaw. Built through the ORM
(``filter().select_related().first()``) it spent more CPU composing and compiling the
query than SQLite spent answering it: about a third of a check-in's server time. Here the
SQL is composed once per database alias from the models' own metadata (so a column added
to ``ApiToken`` or ``User`` is fetched too), and each row is converted with the same
database converters the ORM uses and turned into model instances with ``Model.from_db``,
so the objects are the ones the ORM would have built.

Only conditions that do not depend on the clock are in the SQL (the token's hash, not
revoked, the account active). Time-based rules (expiry, idle time) belong to the caller,
which checks them on the returned token: the lookup stays one query, with no write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.expressions import Col

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Lookup:
    sql: str
    token_fields: list[Field[Any, Any]]
    user_fields: list[Field[Any, Any]]
    converters: list[tuple[int, list[Converter], Col]]


_lookups: dict[str, _Lookup] = {}


def _build(token_model: type[Model], alias: str) -> _Lookup:
    connection = connections[alias]
    qn = connection.ops.quote_name
    token_meta = token_model._meta
    user_field = token_meta.get_field("user")
    user_model = user_field.related_model
    user_meta = user_model._meta  # type: ignore[union-attr]
    token_fields = list(token_meta.concrete_fields)
    user_fields = list(user_meta.concrete_fields)
    columns = [Col("T", f) for f in token_fields] + [Col("U", f) for f in user_fields]
    select = ", ".join(f"{qn(c.alias)}.{qn(c.target.column)}" for c in columns)
    sql = (
        f"SELECT {select} FROM {qn(token_meta.db_table)} {qn('T')} "
        f"INNER JOIN {qn(user_meta.db_table)} {qn('U')} "
        f"ON {qn('U')}.{qn(user_meta.pk.column)} = {qn('T')}.{qn(user_field.column)} "  # type: ignore[union-attr]
        f"WHERE {qn('T')}.{qn(token_meta.get_field('key_hash').column)} = %s "
        f"AND {qn('T')}.{qn(token_meta.get_field('revoked_at').column)} IS NULL "
        f"AND {qn('U')}.{qn(user_meta.get_field('is_active').column)} = %s"
    )
    converters = []
    for i, col in enumerate(columns):
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((i, found, col))
    return _Lookup(sql, token_fields, user_fields, converters)


def live_token(token_model: type[Model], digest: str) -> Any | None:
    """The unrevoked token with this hash whose account is active, with ``.user`` loaded; or None."""
    alias = router.db_for_read(token_model)
    lookup = _lookups.get(alias)
    if lookup is None:
        lookup = _lookups[alias] = _build(token_model, alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(lookup.sql, [digest, True])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, found, col in lookup.converters:
        for convert in found:
            values[i] = convert(values[i], col, connection)
    n = len(lookup.token_fields)
    token = token_model.from_db(alias, [f.attname for f in lookup.token_fields], values[:n])
    user_model = type(token)._meta.get_field("user").related_model
    user = user_model.from_db(alias, [f.attname for f in lookup.user_fields], values[n:])  # type: ignore[union-attr]
    token.user = user  # type: ignore[attr-defined]
    return token
