"""`tillit import-people FILE --org SLUG`: import people and their roles."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from tillit.org.import_jobs import run_import
from tillit.org.models import ImportJob, Organisation


class ImportCommand(BaseCommand):
    """Shared by import-org and import-people: run synchronously, with a progress bar."""

    kind = ImportJob.Kind.PEOPLE

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A .csv or .xlsx file.")
        parser.add_argument("--org", required=True, help="The organisation's short name (slug).")

    def organisation(self, options: dict) -> Organisation:
        try:
            return Organisation.objects.get(slug=options["org"])
        except Organisation.DoesNotExist:
            raise CommandError(
                f"There is no organisation {options['org']!r}. Create it with import-org."
            ) from None

    def handle(self, *args, **options) -> None:
        if options["org"] != slugify(options["org"]):
            raise CommandError(f"--org must be a short name such as {slugify(options['org'])!r}.")
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        organisation = self.organisation(options)
        bars: dict[str, tqdm] = {}

        def progress(done: int, total: int) -> None:
            # Every row is counted twice (checked, then applied): one bar for each step.
            rows = total // 2
            checking = done <= rows and "Importing" not in bars
            step, at = ("Checking", done) if checking else ("Importing", done - rows)
            if step not in bars:
                for bar in bars.values():
                    bar.close()
                bars[step] = tqdm(
                    total=rows,
                    desc=step,
                    unit="row",
                    file=sys.stderr,
                    disable=options["verbosity"] == 0,
                )
            bars[step].update(at - bars[step].n)

        try:
            result = run_import(organisation, self.kind, content, path.name, progress=progress)
        finally:
            for bar in bars.values():
                bar.close()
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(result.errors)} error(s) in {path.name}; nothing was imported.",
                returncode=1,
            )
        # Recorded like an upload, so history shows it and the next import knows its grants.
        ImportJob.objects.create(
            organisation=organisation,
            kind=self.kind,
            filename=path.name,
            status=ImportJob.Status.DONE,
            total=2 * result.rows,
            processed=2 * result.rows,
            summary=result.summary,
            finished_at=timezone.now(),
        )
        for key, value in result.summary.items():
            if key != "grants":
                self.stdout.write(f"{key.replace('_', ' ')}: {value}")


class Command(ImportCommand):
    help = (
        "Import people from CSV or XLSX (columns email, unit_id, name; optional role, language, "
        "birth_year, start_date, gender). People missing from the file are deactivated."
    )
