"""Append-only records (case events, the points ledger, service records): rows are inserted,
never updated or deleted — not through model methods, querysets, the admin or raw SQL.

The model layer refuses updates and deletes; `protect_table` adds database triggers so that
even code that bypasses the ORM cannot rewrite history. Restores load rows as inserts."""

from __future__ import annotations

from django.db import migrations, models


class AppendOnlyError(PermissionError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be updated")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be updated")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: use create()")

    # Django's own cascade collector deletes through _raw_delete; refuse that path as well.
    def _raw_delete(self, using):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} is append-only: rows cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} is append-only: rows cannot be deleted")


def protect_table(table: str) -> list[migrations.RunSQL]:
    """Migration operations adding a trigger that rejects row UPDATE and DELETE on `table`.

    PostgreSQL only, the production database: its TRUNCATE (used by test flushes and restores)
    fires no row triggers. On SQLite the model layer alone guards the rows."""
    name = f"{table}_append_only"
    return [
        migrations.RunPython(_create_triggers(table, name), _drop_triggers(table, name)),
    ]


def _create_triggers(table: str, name: str):
    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
                BEGIN
                    RAISE EXCEPTION '{table} is append-only' USING ERRCODE = 'insufficient_privilege';
                END;
                $$ LANGUAGE plpgsql;
                """
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}();"
            )

    return forwards


def _drop_triggers(table: str, name: str):
    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")

    return backwards
