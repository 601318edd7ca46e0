"""SQLite: FTS5's own vocabulary of the index (terms and how many examples hold each), so
"examples like this one" can search by an example's rarest words instead of all of them."""

from django.db import migrations


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("examples", "0002_search_index")]

    operations = [
        migrations.RunPython(
            _run("CREATE VIRTUAL TABLE examples_fts_vocab USING fts5vocab(examples_fts, 'row')"),
            _run("DROP TABLE IF EXISTS examples_fts_vocab"),
        )
    ]
