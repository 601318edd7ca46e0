"""Every reminder's link stays valid: one row per mailed reminder link instead of one column
that each new reminder overwrote (an older reminder's link then led to "not found"). And a
campaign's log names a mail server that failed."""

import django.db.models.deletion
from django.db import migrations, models


def keep_current_reminder_links(apps, schema_editor):
    Invitation = apps.get_model("surveys", "Invitation")
    ReminderLink = apps.get_model("surveys", "ReminderLink")
    ReminderLink.objects.bulk_create(
        ReminderLink(token_hash=digest, invitation_id=pk)
        for pk, digest in Invitation.objects.filter(reminder_token_hash__isnull=False)
        .values_list("pk", "reminder_token_hash")
        .iterator()
    )


def restore_newest_reminder_link(apps, schema_editor):
    Invitation = apps.get_model("surveys", "Invitation")
    ReminderLink = apps.get_model("surveys", "ReminderLink")
    for link in ReminderLink.objects.order_by("pk").iterator():
        Invitation.objects.filter(pk=link.invitation_id).update(reminder_token_hash=link.token_hash)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_answer_copies_unchecked"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReminderLink",
            fields=[
                ("token_hash", models.CharField(max_length=64, primary_key=True, serialize=False)),
                (
                    "invitation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminder_links",
                        to="surveys.invitation",
                    ),
                ),
            ],
        ),
        migrations.RunPython(keep_current_reminder_links, restore_newest_reminder_link),
        migrations.RemoveField(
            model_name="invitation",
            name="reminder_token_hash",
        ),
        # A mail server that failed is logged (the launch or reminder itself stands).
        migrations.AlterField(
            model_name="campaignevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "created"),
                    ("edited", "edited"),
                    ("launched", "launched"),
                    ("closed", "closed"),
                    ("reopened", "reopened"),
                    ("reminded", "reminders sent"),
                    ("imported", "imported"),
                    ("mailfailed", "e-mails not sent"),
                ],
                max_length=10,
            ),
        ),
    ]
