"""Contributions get random ids and a time to the minute (`Contribution`'s docstring); those
written before get both too, in a shuffled order, with the votes, consent answers and merges
that point to them."""

from django.db import migrations, models

import tillit.core.ids
import tillit.workshop.models


def carry_no_order(apps, schema_editor):
    Contribution = apps.get_model("workshop", "Contribution")
    Vote = apps.get_model("workshop", "Vote")
    ConsentResponse = apps.get_model("workshop", "ConsentResponse")
    old = list(Contribution.objects.values_list("pk", "created_at"))
    new = tillit.core.ids.random_ids(len(old))
    while len(set(new)) < len(new) or set(new) & {pk for pk, _at in old}:
        new = tillit.core.ids.random_ids(len(old))  # never, in practice
    # Only the notes something points to need their pointers moved: one UPDATE per note, not four.
    voted = set(Vote.objects.exclude(contribution=None).values_list("contribution_id", flat=True))
    consented = set(ConsentResponse.objects.values_list("contribution_id", flat=True))
    merged = set(
        Contribution.objects.exclude(merged_into=None).values_list("merged_into_id", flat=True)
    )
    order = sorted(range(len(old)), key=lambda i: new[i])  # shuffled: by the new ids
    for i in order:
        pk, at = old[i]
        if pk in voted:
            Vote.objects.filter(contribution_id=pk).update(contribution_id=new[i])
        if pk in consented:
            ConsentResponse.objects.filter(contribution_id=pk).update(contribution_id=new[i])
        if pk in merged:
            Contribution.objects.filter(merged_into_id=pk).update(merged_into_id=new[i])
        Contribution.objects.filter(pk=pk).update(
            id=new[i], created_at=at.replace(second=0, microsecond=0)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("workshop", "0003_rekey_positions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contribution",
            name="created_at",
            field=models.DateTimeField(default=tillit.workshop.models.this_minute),
        ),
        migrations.AlterField(
            model_name="contribution",
            name="id",
            field=tillit.core.ids.RandomIdField(
                default=tillit.core.ids.random_id, editable=False, primary_key=True, serialize=False
            ),
        ),
        migrations.RunPython(carry_no_order, migrations.RunPython.noop),
    ]
