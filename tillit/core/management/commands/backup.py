"""`tillit backup FILE`: a consistent copy of the whole database, taken while Tillit runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the whole database to FILE while Tillit keeps running "
        "(SQLite: the online backup API; PostgreSQL: pg_dump in its custom format)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"]:
            self.stdout.write(f"Backup written to {file} ({file.stat().st_size:,} bytes).")
