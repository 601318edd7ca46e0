"""Every model change has its migration (as `makemigrations --check` in CI)."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(
            "Models changed without a migration; run `tillit makemigrations`:\n" + out.getvalue()
        )
