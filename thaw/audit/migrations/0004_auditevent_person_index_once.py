"""Audit events keep one index by person: ``audit_person_at`` (person, at) serves every lookup by
person, so the foreign key's own index goes (a caseload view writes an event per person shown,
and each index was one more write per event). Only the index is dropped (no table rebuild on
SQLite)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "audit_auditevent_person_id_41e59516"  # the name Django gave the foreign key's index


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_salt"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="person",
                    field=models.ForeignKey(blank=True, db_index=False, help_text="Whose data the event concerns.",
                                            null=True, on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="audit_events", to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{INDEX}"',
                                  reverse_sql=f'CREATE INDEX "{INDEX}" ON "audit_auditevent" ("person_id")'),
            ],
        ),
    ]
