"""`tillit import-template FILE`: validate and install one programme template."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.programmes.loading import TemplateFileError, install, load_yaml


class Command(BaseCommand):
    help = (
        "Validate and install a programme template (YAML). A bad file gets every error with "
        "its place in the file and installs nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            definition = load_yaml(file.read_bytes())
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}", returncode=1) from None
        except TemplateFileError as exc:
            for error in exc.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(
                f"{len(exc.errors)} error(s) in {file.name}; nothing was installed", returncode=1
            ) from None
        version, created = install(definition)
        state = "installed" if created else "unchanged:"
        self.stdout.write(f"{state} {version.template.slug} version {version.number}")
