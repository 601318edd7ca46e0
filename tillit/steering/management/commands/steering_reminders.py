from django.core.management.base import BaseCommand
from django.utils import timezone

from tillit.steering.reminders import send_review_reminders


class Command(BaseCommand):
    help = "Mail owners of steering signals due for review (run daily, e.g. from cron)."

    def handle(self, *args, **options) -> None:
        sent = send_review_reminders(timezone.localdate())
        self.stdout.write(f"{sent} reminder(s) sent")
