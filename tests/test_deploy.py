"""Production settings pass Django's deployment checks, and refuse to start without a secret."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tillit(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run `python -m tillit ARGS` in a fresh process with production settings plus ENV."""
    # Only this test's settings: none of the developer's, and not the async override that the
    # browser tests set for this process (deployment checks rightly reject it).
    skip = ("TILLIT_", "DATABASE_", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    environ.update(
        TILLIT_ENV="production",
        TILLIT_ALLOWED_HOSTS="tillit.example.org",
        TILLIT_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="tillit.settings",
    )
    environ.update(env)
    environ = {k: v for k, v in environ.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-m", "tillit", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_in_production(tmp_path):
    result = tillit(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        TILLIT_SECRET_KEY=secrets.token_urlsafe(50),
        TILLIT_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "ERROR" not in output, output


def test_check_deploy_warns_about_a_weak_key(tmp_path):
    """The check can fail: a short key is reported, so the clean result above means something."""
    result = tillit(
        "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, TILLIT_SECRET_KEY="short"
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = tillit("check", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "TILLIT_SECRET_KEY must be set" in result.stderr
    # No key was made up and written to disk instead.
    assert not (tmp_path / "secret_key").exists()


def test_check_deploy_fails_when_production_mail_goes_to_the_console(tmp_path):
    result = tillit(
        "check", "--deploy", tmp_path=tmp_path, TILLIT_SECRET_KEY=secrets.token_urlsafe(50)
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "tillit.E001" in output and "console" in output
