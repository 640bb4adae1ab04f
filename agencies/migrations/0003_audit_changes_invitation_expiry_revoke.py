import datetime

import django.db.models.functions.text
from django.db import migrations, models

INVITATION_VALID_DAYS = 14


def set_expiry(apps, schema_editor):
    """Existing invitations expire two weeks after they were sent, like new ones."""
    Invitation = apps.get_model("agencies", "Invitation")
    for invitation in Invitation.objects.filter(expires_at__isnull=True).only("created_at"):
        invitation.expires_at = invitation.created_at + datetime.timedelta(
            days=INVITATION_VALID_DAYS
        )
        invitation.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_auditevent_outcome_without_denied"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="changes",
            field=models.JSONField(blank=True, default=dict, verbose_name="changes"),
        ),
        migrations.AddField(
            model_name="invitation",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.RunPython(set_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invitation",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
        migrations.AddField(
            model_name="invitation",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RemoveConstraint(
            model_name="invitation",
            name="one_open_invitation_per_email",
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(("accepted_at__isnull", True), ("revoked_at__isnull", True)),
                name="one_open_invitation_per_email",
            ),
        ),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(fields=["agency", "-created_at"], name="agencies_in_agency__8dded3_idx"),
        ),
    ]
