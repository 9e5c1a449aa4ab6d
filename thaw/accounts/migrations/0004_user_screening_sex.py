# Issue 12: which AUDIT-C cut-off applies to the person (asked once, optionally).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_sign_in_failure'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='screening_sex',
            field=models.CharField(blank=True, choices=[('female', 'Female (cut-off 3)'), ('male', 'Male (cut-off 4)')], help_text='For alcohol screening: which cut-off applies. Blank means not given (the lower cut-off is used).', max_length=8),
        ),
        migrations.AddField(
            model_name='user',
            name='screening_sex_answered_at',
            field=models.DateTimeField(blank=True, help_text='When the person answered the question (so it is asked only once).', null=True),
        ),
    ]
