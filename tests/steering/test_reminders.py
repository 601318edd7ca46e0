"""Review reminders reach each owner once per review date, in their language."""

import datetime as dt

import pytest

from tillit.steering.models import Signal
from tillit.steering.reminders import send_review_reminders

pytestmark = pytest.mark.django_db


def test_owner_reminded_once_per_review_date(signals, mailoutbox):
    today = dt.date(2026, 12, 1)
    Signal.objects.filter(pk=signals["A"].pk).update(
        owner_email="ekonomi@testby.se", review_date=dt.date(2026, 12, 20)
    )
    Signal.objects.filter(pk=signals["B"].pk).update(
        owner_email="ekonomi@testby.se", review_date=dt.date(2026, 11, 1)
    )
    Signal.objects.filter(pk=signals["C"].pk).update(
        owner_email="hr@testby.se",
        review_date=dt.date(2027, 6, 1),  # not yet due
    )
    assert send_review_reminders(today) == 1
    (mail,) = mailoutbox
    assert mail.to == ["ekonomi@testby.se"]
    assert "Månadsrapport" in mail.body and "Tidregistrering" in mail.body
    assert mail.extra_headers["Content-Language"] == "sv"
    assert "APT-protokoll" not in mail.body
    assert send_review_reminders(today + dt.timedelta(days=1)) == 0
    # A new review date later on brings a new reminder when it comes near.
    Signal.objects.filter(pk=signals["A"].pk).update(review_date=dt.date(2027, 12, 20))
    # (C's date has passed by then too; B, already reminded of its date, stays quiet.)
    assert send_review_reminders(dt.date(2027, 12, 1)) == 2
    later = {m.to[0]: m.body for m in mailoutbox[1:]}
    assert "Månadsrapport" in later["ekonomi@testby.se"]
    assert "Tidregistrering" not in later["ekonomi@testby.se"]
    assert "APT-protokoll" in later["hr@testby.se"]
