"""`tillit restore FILE`: replace the whole database with a backup, then migrate it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the whole database with the backup in FILE and migrate it to this version. "
        "Stop `tillit serve` first. A backup from a newer Tillit is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, file: Path, interactive: bool, **options) -> None:
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        if interactive:
            answer = input(
                "This replaces EVERYTHING in the database with the backup. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was changed.")
        try:
            restore(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"]:
            self.stdout.write(f"Restored {file} and migrated the database.")
