"""Two task workers ticking the campaign schedule at once (tests/test_campaign_running.py).

Run as a module against a SQLite file (tests/concurrency.py), or called in the test database
on PostgreSQL. Imports are inside the functions: the module runs before Django is set up.
"""

import json
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def two_workers_scenario() -> dict:
    """An open campaign due its first reminder, and another past its closing date; two
    workers tick at the same moment. Returns what was mailed and logged."""
    import datetime as dt

    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    from tillit.core import jobs
    from tillit.instruments.loading import install, load_yaml
    from tillit.org.models import Organisation, Person, Unit
    from tillit.surveys import actions
    from tillit.surveys.models import Campaign, CampaignEvent, ReminderLink

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    version, _ = install(load_yaml((ROOT / "tests/data/surveys_test_instrument.yaml").read_bytes()))
    org = Organisation.objects.create(slug="two-workers", name="Two workers")
    unit = Unit.objects.create(organisation=org, external_id="U", name="U")
    for n in range(3):
        Person.objects.create(organisation=org, email=f"p{n}@two.se", name=f"P{n}", unit=unit)
    today = timezone.localdate()
    due, past = [
        actions.do_save_campaign(
            Campaign(
                organisation=org,
                name=name,
                target_unit=unit,
                opens_on=today,
                closes_on=today + dt.timedelta(days=20),
                reminder_days=[7, 12],
            ),
            [version],
        )
        for name in ("due", "past")
    ]
    for campaign in (due, past):
        actions.do_launch_campaign(campaign)
    Campaign.objects.filter(pk=due.pk).update(opens_on=today - dt.timedelta(days=8))
    Campaign.objects.filter(pk=past.pk).update(
        opens_on=today - dt.timedelta(days=30), closes_on=today - dt.timedelta(days=1)
    )
    mail.outbox = []
    barrier = threading.Barrier(2)
    results = [None, None]

    def worker(n):
        try:
            barrier.wait()
            results[n] = jobs.tick()["surveys.schedule"]
        except Exception as error:  # every outcome is inspected
            results[n] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "results": results,
        "mails": len(mail.outbox),
        "reminded": CampaignEvent.objects.filter(campaign=due, kind="reminded").count(),
        "links": ReminderLink.objects.filter(invitation__campaign=due).count(),
        "closed": CampaignEvent.objects.filter(campaign=past, kind="closed").count(),
        "status": Campaign.objects.get(pk=past.pk).status,
    }


if __name__ == "__main__":
    import django
    from django.core.management import call_command

    django.setup()
    from django.apps import apps
    from django.conf import settings

    # Tables straight from the models: running every migration took most of the test's time.
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    print(json.dumps(two_workers_scenario()))
