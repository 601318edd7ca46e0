"""`tillit import-instrument FILE [--org SLUG]`: validate and install one instrument file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from tillit.instruments.loading import InstrumentFileError, install, load_file
from tillit.org.models import Organisation


class Command(BaseCommand):
    help = (
        "Validate and install an instrument from YAML (.yaml/.yml) or XLSForm (.xlsx). "
        "A bad file gets every error with its place in the file and installs nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--org", metavar="SLUG", help="install as this organisation's own instrument"
        )
        parser.add_argument(
            "--language",
            default="",
            help="XLSForm: the language of plain 'label' columns when the settings sheet "
            "names no default_language (sv, da, nb, en; default sv)",
        )

    # Operator output in English, like Django's own commands; the loader's messages are
    # translated for when they are shown in the web interface.
    @no_translations
    def handle(self, *args, file: Path, org: str | None, language: str, **options) -> None:
        organisation = None
        if org:
            organisation = Organisation.objects.filter(slug=org).first()
            if organisation is None:
                raise CommandError(f"no organisation with the short name '{org}'")
        try:
            definition = load_file(file, language=language)
        except InstrumentFileError as exc:
            for error in exc.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(
                f"{len(exc.errors)} error(s) in {file.name}; nothing was installed",
                returncode=1,
            ) from None
        version, created = install(definition, organisation)
        slug = version.instrument.slug
        if created:
            self.stdout.write(f"installed {slug} version {version.number}")
        else:
            self.stdout.write(f"unchanged: {slug} version {version.number}")
