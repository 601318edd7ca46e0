"""`tillit results CAMPAIGN --org SLUG --format json|xlsx [--output FILE]`."""

from django.core.management.base import BaseCommand, CommandError

from tillit.org.models import Organisation
from tillit.results.exports import json_bytes, xlsx_bytes
from tillit.results.refreshing import get_snapshot
from tillit.results.theming import theme_results
from tillit.surveys.models import Campaign


class Command(BaseCommand):
    help = "Write a campaign's published results (exactly what the pages show) as JSON or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="the campaign's id or name")
        parser.add_argument("--org", required=True, help="the organisation's short name (slug)")
        parser.add_argument("--format", choices=("json", "xlsx"), default="json")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the short name {options['org']!r}.")
        campaigns = Campaign.objects.filter(organisation=organisation)
        wanted = options["campaign"]
        found = list(campaigns.filter(name=wanted))
        if not found and wanted.isdigit():
            found = list(campaigns.filter(pk=int(wanted)))
        if not found:
            raise CommandError(f"No campaign {wanted!r} in {organisation.slug}.")
        if len(found) > 1:
            raise CommandError(f"Several campaigns are called {wanted!r}: give the id.")
        snapshot = get_snapshot(found[0])
        if snapshot.data.get("phase") == "published" and "themes_at" not in snapshot.data:
            # No worker has themed this publication yet: a command can wait for it.
            theme_results.call(found[0].pk)
            snapshot.refresh_from_db()
        content = (json_bytes if options["format"] == "json" else xlsx_bytes)(snapshot)
        if options["output"]:
            with open(options["output"], "wb") as out:
                out.write(content)
        elif options["format"] == "xlsx":
            raise CommandError("XLSX needs --output FILE.")
        else:
            self.stdout.write(content.decode("utf-8"))
