"""`tillit install-instruments`: install or update the instruments shipped with Tillit."""

from django.core.management.base import BaseCommand, no_translations

from tillit.instruments.shipped import install_shipped


class Command(BaseCommand):
    help = "Install the shipped instruments (HME, Tillitsindex, Goda exempel); safe to repeat."

    # Operator output in English, like Django's own commands; the loader's messages are
    # translated for when they are shown in the web interface.
    @no_translations
    def handle(self, *args, **options) -> None:
        for version, created in install_shipped():
            self.stdout.write(_describe(version.instrument.slug, version.number, created))


def _describe(slug: str, number: int, created: bool) -> str:
    return (
        f"installed {slug} version {number}" if created else f"unchanged: {slug} version {number}"
    )
