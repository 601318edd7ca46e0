"""Schemathesis against a running server: no 500, no response outside the schema, no data of
another organisation – for every operation, with valid and invalid input."""

import os
import subprocess
import sys
from pathlib import Path

from tillit.identity.actions import do_create_token
from tillit.org.models import Person, Unit

from .conftest import ALL

ROOT = Path(__file__).resolve().parents[2]
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,ignored_auth,no_other_organisations_data"
)


def test_fuzz_the_api_against_its_schema(live_server, world, org, other_org, tmp_path):
    Person.objects.create(
        organisation=other_org, email="x@annanstad.se", name="X", unit=other_org.units.get()
    )
    foreign_before = list(Unit.objects.filter(organisation=other_org).values())
    _token, secret = do_create_token(org, "Fuzzer", ALL)
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.api.fuzz_hooks", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {secret}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "25",
            "--max-time",
            "12",
            "--seed",
            "18",
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--warnings",
            "off",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # Schemathesis keeps a cache in its working directory
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert list(Unit.objects.filter(organisation=other_org).values()) == foreign_before
    assert Person.objects.get(email="x@annanstad.se").active
