"""API tokens get an end date. Tokens made before this gain a full term from the upgrade,
so no script stops working the moment a self-hoster upgrades."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_existing_tokens_a_term(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ends = timezone.now() + timedelta(days=settings.THAW_TOKEN_LIFETIME_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=ends)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_user_screening_sex"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(give_existing_tokens_a_term, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
