"""Load the seed translations of the Learn articles (thaw/learn/data/articles/<language>/),
linked to their English originals (issue 17). Articles already there become English by the
previous migration's default.

Adds only what is missing: an English original an editor has deleted gets no translation, and a
slug already taken is left alone. Reversing it removes nothing (editors' work may build on it)."""

from django.db import migrations


def load(apps, schema_editor):
    from thaw.learn.content import load_translations

    load_translations(apps)


class Migration(migrations.Migration):

    dependencies = [("learn", "0003_article_language")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
