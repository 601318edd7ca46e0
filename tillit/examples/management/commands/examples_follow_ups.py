from django.core.management.base import BaseCommand
from django.utils import timezone

from tillit.examples.followups import send_follow_ups


class Command(BaseCommand):
    help = "Ask managers of units that adopted a good example whether behaviour changed (daily)."

    def handle(self, *args, **options) -> None:
        sent = send_follow_ups(timezone.localdate())
        self.stdout.write(f"{sent} follow-up(s) sent")
