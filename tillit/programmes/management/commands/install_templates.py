"""`tillit install-templates`: install or update the programme templates shipped with Tillit."""

from django.core.management.base import BaseCommand

from tillit.programmes.loading import install_shipped_templates


class Command(BaseCommand):
    help = "Install the shipped programme templates; safe to repeat."

    def handle(self, *args, **options) -> None:
        for version, created in install_shipped_templates():
            state = "installed" if created else "unchanged:"
            self.stdout.write(f"{state} {version.template.slug} version {version.number}")
