"""Load the Learn seed content (thaw/learn/data) once: topics, articles and example programs.

Adds only what is missing and never changes what is there, so running it on a site whose
editors have changed things keeps their work. Reversing it removes nothing (editors' work
may build on the seed)."""

from django.db import migrations


def load(apps, schema_editor):
    from thaw.learn.content import load_seed

    load_seed(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("learn", "0001_articles_comments_program_pages"),
        ("clinic", "0001_initial"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
