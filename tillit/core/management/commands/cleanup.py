"""`tillit cleanup`: end work cut off by dead workers, delete finished uploads, old counters."""

from django.core.management.base import BaseCommand

from tillit.core import jobs, throttle


class Command(BaseCommand):
    help = (
        "Mark tasks and jobs whose worker died as failed, delete the uploads of finished jobs "
        "and expired rate-limit counters (every task worker also does this once a minute)."
    )

    def handle(self, *args, **options) -> None:
        ended = jobs.sweep()
        purged = throttle.purge()
        if options["verbosity"]:
            self.stdout.write(
                f"tasks failed: {ended['tasks']}, jobs failed: {ended['jobs']}, "
                f"counters purged: {purged}"
            )
