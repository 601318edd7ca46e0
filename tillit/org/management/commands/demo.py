"""`tillit demo`: migrate, create the demo organisations if missing, print the demo logins."""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tillit.org.demo import DEFAULT_SEED, DEMO_PASSWORD, SIZES, build_demo, delete_demo


class Command(BaseCommand):
    help = "Create the demo organisations Tillby kommun and Fjordby Kommune, and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=SIZES,
            default="medium",
            help="small: ~40 people; medium: ~3,000 people in ~250 units; large: ~50,000 people.",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="The same seed gives the same demo."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo organisations and demo accounts first (and nothing else).",
        )

    def handle(self, *args, size: str, seed: int, reset: bool, **options) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        started = time.monotonic()
        if reset:
            delete_demo()
        result = build_demo(size, seed)
        seconds = time.monotonic() - started
        if verbosity == 0:
            return
        out = self.stdout.write
        if result.created:
            names = ", ".join(result.organisations[slug].name for slug in result.created)
            out(
                _("Created %(names)s (size %(size)s, seed %(seed)s) in %(seconds).1f s.")
                % {"names": names, "size": size, "seed": seed, "seconds": seconds}
            )
        else:
            out(_("The demo organisations already exist; --reset rebuilds them."))
        rule = "-" * 78
        out(rule)
        out(_("Tillit demo: %(url)s") % {"url": settings.SITE_URL})
        out(_("Start the server with: tillit serve"))
        out("")
        out(_("Demo logins (password for all: %(password)s)") % {"password": DEMO_PASSWORD})
        width = max(len(login.email) for login in result.logins)
        for login in result.logins:
            label = f"{login.role} – {login.name}" if login.name else str(login.role)
            out(f"  {login.email.ljust(width)}  {label}")
        for note in result.notes:
            out(note)
        out("")
        out(
            _(
                "The password is for the demo only: never run the demo on a server that holds "
                "real data."
            )
        )
        out(rule)
