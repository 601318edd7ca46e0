"""The full-text index of the library, kept in step by triggers so every write (the ORM,
bulk inserts, the benchmark) indexes the example: FTS5 on SQLite, a tsvector with the
example's language's dictionary and a GIN index on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE examples_fts USING fts5("
    "title, search_text, content='examples_goodexample', content_rowid='id')",
    "CREATE TRIGGER examples_fts_insert AFTER INSERT ON examples_goodexample BEGIN "
    "INSERT INTO examples_fts(rowid, title, search_text) "
    "VALUES (new.id, new.title, new.search_text); END",
    "CREATE TRIGGER examples_fts_delete AFTER DELETE ON examples_goodexample BEGIN "
    "INSERT INTO examples_fts(examples_fts, rowid, title, search_text) "
    "VALUES ('delete', old.id, old.title, old.search_text); END",
    "CREATE TRIGGER examples_fts_update AFTER UPDATE OF title, search_text "
    "ON examples_goodexample BEGIN "
    "INSERT INTO examples_fts(examples_fts, rowid, title, search_text) "
    "VALUES ('delete', old.id, old.title, old.search_text); "
    "INSERT INTO examples_fts(rowid, title, search_text) "
    "VALUES (new.id, new.title, new.search_text); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS examples_fts_update",
    "DROP TRIGGER IF EXISTS examples_fts_delete",
    "DROP TRIGGER IF EXISTS examples_fts_insert",
    "DROP TABLE IF EXISTS examples_fts",
]
POSTGRESQL = [
    """
    CREATE FUNCTION examples_search_document() RETURNS trigger AS $$
    DECLARE config regconfig;
    BEGIN
      config := CASE NEW.language WHEN 'da' THEN 'danish' WHEN 'nb' THEN 'norwegian'
                WHEN 'en' THEN 'english' ELSE 'swedish' END;
      NEW.search_document :=
        setweight(to_tsvector(config, coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector(config, coalesce(NEW.search_text, '')), 'B');
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER examples_search_document BEFORE INSERT OR UPDATE "
    "ON examples_goodexample FOR EACH ROW EXECUTE FUNCTION examples_search_document()",
    "CREATE INDEX examples_search_gin ON examples_goodexample USING gin (search_document)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS examples_search_gin",
    "DROP TRIGGER IF EXISTS examples_search_document ON examples_goodexample",
    "DROP FUNCTION IF EXISTS examples_search_document()",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in statements.get(vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("examples", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
