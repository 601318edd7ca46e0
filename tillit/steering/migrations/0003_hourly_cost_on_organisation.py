# The hourly cost moved to the organisation (its settings page edits it); copy, then drop.

from django.db import migrations


def copy_to_organisation(apps, schema_editor):
    SteeringSettings = apps.get_model("steering", "SteeringSettings")
    Organisation = apps.get_model("org", "Organisation")
    for row in SteeringSettings.objects.all():
        Organisation.objects.filter(pk=row.organisation_id).update(
            hourly_cost=row.hourly_cost, currency=row.currency
        )


class Migration(migrations.Migration):
    dependencies = [
        ("steering", "0002_signal_from_challenge"),
        ("org", "0002_organisation_settings_and_import_preview"),
    ]

    operations = [
        migrations.RunPython(copy_to_organisation, migrations.RunPython.noop),
        migrations.DeleteModel(name="SteeringSettings"),
    ]
