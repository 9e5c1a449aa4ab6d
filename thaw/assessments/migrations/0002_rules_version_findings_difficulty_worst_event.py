# Issue 12: the corrected scoring rules. Existing results are marked as rules version 1.

import thaw.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='assessment',
            name='difficulty',
            field=models.PositiveSmallIntegerField(blank=True, help_text="PHQ-9's unscored question: how difficult the problems made things (0-3).", null=True),
        ),
        migrations.AddField(
            model_name='assessment',
            name='findings',
            field=models.JSONField(blank=True, default=dict),
        ),
        # Results stored before this migration were scored by the first rules: version 1.
        # They are not re-scored; new results get the current version (2).
        migrations.AddField(
            model_name='assessment',
            name='rules_version',
            field=models.PositiveSmallIntegerField(default=1, help_text="Which version of Thaw's scoring rules produced this result."),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='rules_version',
            field=models.PositiveSmallIntegerField(default=2, help_text="Which version of Thaw's scoring rules produced this result."),
        ),
        migrations.AddField(
            model_name='assessment',
            name='worst_event',
            field=thaw.fields.EncryptedTextField(blank=True, help_text='PCL-5: the event the person kept in mind (private).'),
        ),
    ]
