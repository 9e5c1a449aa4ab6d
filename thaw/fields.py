"""Model fields for free text that is encrypted at rest (see ``thaw.crypto``)."""

from __future__ import annotations

from typing import Any

from django.db import models

from thaw import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted with the key ring before it reaches the database.

    It cannot be searched or filtered in SQL; nothing in Thaw needs to.
    """

    def _context(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, self._context())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), self._context())


def reencrypt(model: type[models.Model], field_names: list[str], batch: int = 500) -> int:
    """Rewrite every non-empty value of these fields with the current key (legacy plaintext too).

    Used by the migration that turned encryption on and by ``thaw rotate-key``.
    """
    count = 0
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch):
        chunk = pks[start:start + batch]
        # Locked while rewritten (PostgreSQL), so an edit made during a rotation is not overwritten.
        rows = model._default_manager.select_for_update().filter(pk__in=chunk).values("pk", *field_names)
        for row in rows:
            changes = {name: row[name] for name in field_names if row[name]}
            if changes:
                model._default_manager.filter(pk=row["pk"]).update(**changes)
                count += 1
    return count


def decrypt_in_place(model: type[models.Model], field_names: list[str], connection: Any) -> None:
    """Undo encryption (for reversing the migration): write plaintext back with raw SQL."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for name in field_names:
            column = connection.ops.quote_name(model._meta.get_field(name).column)
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} LIKE %s", [crypto.PREFIX + "%"])
            for key, stored in cursor.fetchall():
                plain = crypto.decrypt(stored, f"{model._meta.db_table}.{name}")
                cursor.execute(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", [plain, key])
