"""Check-ins keep one index by person: ``checkin_person_at`` (person, -at) already serves every
lookup by person, so the foreign key's own index goes. With both, every check-in wrote both, and
where a person's rows lie together on disk PostgreSQL read a caseload's fourteen days through the
narrower index and filtered a year of rows per person. Only the index is dropped (no table
rebuild on SQLite).

The emotion words and tags keep their check-in index: the unique (check-in, word) index that
also covers it is wider, and reading a year of words through it was slower (docs/PERFORMANCE.md)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "checkins_checkin_person_id_be19a300"  # the name Django gave the foreign key's index


class Migration(migrations.Migration):

    dependencies = [
        ("checkins", "0005_checkin_prompt"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="checkin",
                    name="person",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="checkins", to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{INDEX}"',
                                  reverse_sql=f'CREATE INDEX "{INDEX}" ON "checkins_checkin" ("person_id")'),
            ],
        ),
    ]
