"""`tillit import-responses FILE --instrument ID --name NAME --org SLUG [--closed-on DATE]`."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import F, Q
from django.utils import timezone

from tillit.instruments.models import Instrument
from tillit.org.models import Organisation
from tillit.org.tables import FileErrors
from tillit.surveys.importing import import_responses


class Command(BaseCommand):
    help = (
        "Create a closed campaign from raw answers exported by an earlier survey tool (CSV/XLSX: "
        "unit_id, optional age/tenure/profession bands, one column per item id; blank = not "
        "answered). A file with any error imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="The organisation's short name (slug).")
        parser.add_argument("--instrument", required=True, help="The instrument id, e.g. hme.")
        parser.add_argument(
            "--instrument-version", type=int, help="The instrument version (default: latest)."
        )
        parser.add_argument("--name", required=True, help="The campaign's name.")
        parser.add_argument(
            "--closed-on",
            type=dt.date.fromisoformat,
            help="The day the survey closed, YYYY-MM-DD (default: today).",
        )

    def handle(self, *args, **options) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the short name {options['org']!r}.")
        instrument = (
            Instrument.objects.filter(slug=options["instrument"])
            .filter(Q(organisation=organisation) | Q(organisation__isnull=True))
            # The organisation's own one first (SQLite sorts NULL first, PostgreSQL last).
            .order_by(F("organisation").asc(nulls_last=True))
            .first()
        )
        if instrument is None:
            raise CommandError(f"No instrument {options['instrument']!r} is installed.")
        if options["instrument_version"]:
            version = instrument.versions.filter(number=options["instrument_version"]).first()
        else:
            version = instrument.latest()
        if version is None:
            raise CommandError(f"{instrument.slug} has no such version.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            campaign = import_responses(
                path.read_bytes(),
                path.name,
                organisation=organisation,
                version=version,
                name=options["name"],
                closed_on=options["closed_on"] or timezone.localdate(),
            )
        except FileErrors as failure:
            for error in failure.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(failure.errors)} error(s) in {path.name}; nothing was imported."
            ) from None
        self.stdout.write(
            f"Imported {campaign.responses.count()} responses into the closed campaign "
            f"“{campaign.name}” (id {campaign.pk})."
        )
