"""Dilemma positions were keyed by uuid5(participant id, tool, item), which tied each position to
its participant for anyone reading the database. Their keys become random: the link is gone (a
phone in a session open during the upgrade starts a new position; nothing else changes)."""

import uuid

from django.db import migrations


def rekey(apps, schema_editor):
    Contribution = apps.get_model("workshop", "Contribution")
    for position in Contribution.objects.filter(kind="position").only("pk"):
        Contribution.objects.filter(pk=position.pk).update(key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("workshop", "0002_presenter_screen_and_own_notes")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
