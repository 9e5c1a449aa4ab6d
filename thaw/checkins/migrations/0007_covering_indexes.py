"""What the pages read of a person's check-ins and words comes from the indexes alone on
PostgreSQL (an index-only scan), instead of one table page per check-in:

- ``checkin_person_at`` (person, -at) also carries numbness, the id and updated_at: the
  caseload's daily numbness, the ids words and tags hang on, and insights' cache stamp;
- the emotion words' index by check-in (the foreign key's own, now ``checkin_emotion_checkin``)
  also carries the word and its intensity.

Check-ins arrive in time order, so a person's year lies on about as many table pages as it has
rows; through the indexes alone a year of a person's words is read about 2.3× faster, the
insights cache stamp about 15× (docs/PERFORMANCE.md, "Fourth round"). SQLite has no INCLUDE:
there the indexes stay plain, as before.

Index-only scans skip only table pages marked all-visible, which vacuum does. By default
autovacuum comes to a table that only grows after 20 % more rows (about 73 days of a year's
check-ins), so the fortnight a caseload reads would seldom be marked: on PostgreSQL both tables
are vacuumed after every 10,000 new rows instead (a vacuum of new rows only: the marked pages
are skipped).

The new indexes are built first, under the table's write lock only (reads go on; writes wait,
about 15 s for 5.5 million check-ins and 8.2 million words on the benchmark's 2-core machine),
and the old ones dropped last: dropping an index locks its table for reads too, until the
migration commits a moment later (DEPLOYING.md)."""

from django.db import migrations, models

OLD_EMOTION_INDEX = "checkins_checkinemotion_checkin_id_1addf8b1"  # the foreign key's own, named by Django
TABLES = ("checkins_checkin", "checkins_checkinemotion")
NEW_ROWS = 10_000  # autovacuum after this many inserted rows, whatever the table's size


def vacuum_new_rows_often(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f'ALTER TABLE "{table}" SET (autovacuum_vacuum_insert_threshold = {NEW_ROWS}, '
                                  "autovacuum_vacuum_insert_scale_factor = 0)")


def vacuum_as_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f'ALTER TABLE "{table}" RESET (autovacuum_vacuum_insert_threshold, '
                                  "autovacuum_vacuum_insert_scale_factor)")


class Migration(migrations.Migration):

    dependencies = [
        ("checkins", "0006_checkin_person_index_once"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="checkin",
            index=models.Index(fields=["person", "-at"], include=("numbness", "id", "updated_at"),
                               name="checkin_person_at_covering"),
        ),
        migrations.AddIndex(
            model_name="checkinemotion",
            index=models.Index(fields=["checkin"], include=("word", "intensity"), name="checkin_emotion_checkin"),
        ),
        migrations.RemoveIndex(model_name="checkin", name="checkin_person_at"),
        migrations.RenameIndex(model_name="checkin", new_name="checkin_person_at", old_name="checkin_person_at_covering"),
        migrations.SeparateDatabaseAndState(  # only the index goes: no table rebuild on SQLite
            state_operations=[
                migrations.AlterField(
                    model_name="checkinemotion",
                    name="checkin",
                    field=models.ForeignKey(db_index=False, on_delete=models.deletion.CASCADE,
                                            related_name="emotions", to="checkins.checkin"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{OLD_EMOTION_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{OLD_EMOTION_INDEX}" ON "checkins_checkinemotion" ("checkin_id")'),
            ],
        ),
        migrations.RunPython(vacuum_new_rows_often, reverse_code=vacuum_as_default),
    ]
