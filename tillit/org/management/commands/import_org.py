"""`tillit import-org FILE --org SLUG`: import the unit tree, creating the organisation when new."""

from django.core.management.base import CommandParser

from tillit.org.management.commands.import_people import ImportCommand
from tillit.org.models import ImportJob, Organisation


class Command(ImportCommand):
    help = (
        "Import an organisation's units from CSV or XLSX (columns unit_id, parent_id, name; "
        "optional manager_email, type, cost_centre). Units missing from the file are closed."
    )
    kind = ImportJob.Kind.UNITS

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--name", help="The organisation's name when it is created.")

    def organisation(self, options: dict) -> Organisation:
        slug = options["org"]
        found = Organisation.objects.filter(slug=slug).first()
        if found is not None:
            return found
        # Saved by the import itself, so a file with errors creates nothing.
        return Organisation(slug=slug, name=options["name"] or slug.replace("-", " ").title())
