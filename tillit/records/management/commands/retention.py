from django.core.management.base import BaseCommand

from tillit.records.retention import apply_all


class Command(BaseCommand):
    help = (
        "Delete what each organisation's retention policy says is due, and log what went "
        "(run daily, e.g. from cron or a systemd timer)."
    )

    def handle(self, *args, **options) -> None:
        for run in apply_all():
            counts = ", ".join(
                f"{key} {value}" for key, value in run.deleted.items() if key != "campaigns"
            )
            self.stdout.write(f"{run.organisation.slug}: deleted {counts}")
