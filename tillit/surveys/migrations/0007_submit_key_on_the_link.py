"""The submit's idempotency key moves from the response to the link (the invitation), and
answers get random ids: the key equalled the draft's (draft -> link -> invitation -> person) in
any copy taken while someone was on the review page, and autoincrementing ids put answers in
submission order. The keys stored on responses are dropped (there is nothing to carry them to:
no response knows its invitation). Rows written before get random ids and, on SQLite, random
rowids for their responses too, drawn in a shuffled order.
"""

import random

from django.db import migrations, models

import tillit.surveys.models


def _shuffled_rekey(schema_editor, table: str, column: str) -> None:
    """Give every row of `table` a fresh random `column`, row by row in a random order."""
    from tillit.surveys.models import random_ids

    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")  # noqa: S608
        old = [row[0] for row in cursor.fetchall()]
        if not old:
            return
        random.SystemRandom().shuffle(old)
        taken = set(old)
        new = []
        for value in random_ids(len(old)):
            while value in taken:  # never move a row onto one not yet moved
                value = random_ids(1)[0]
            taken.add(value)
            new.append(value)
        cursor.executemany(
            f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(column)} = %s",  # noqa: S608
            list(zip(new, old, strict=True)),
        )


def rekey(apps, schema_editor) -> None:
    _shuffled_rekey(schema_editor, "surveys_answer", "id")
    if schema_editor.connection.vendor == "sqlite":
        _shuffled_rekey(schema_editor, "surveys_response", "rowid")


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0006_reminder_links'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='response',
            name='idempotency_key',
        ),
        migrations.AddField(
            model_name='invitation',
            name='idempotency_key',
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='answer',
            name='id',
            field=tillit.surveys.models.RandomIdField(default=tillit.surveys.models.random_id, editable=False, primary_key=True, serialize=False),
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
