"""Reading programme template files, installing them as versions, and the shipped templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from tillit.core.datafiles import DataFileError, checksum, read_yaml
from tillit.programmes.models import ProgrammeTemplate, TemplateVersion
from tillit.programmes.validation import normalise

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_FILES = (
    "samskabt_styring.yaml",
    "ledningsgruppsutveckling.yaml",
    "resultatdialog.yaml",
    "styringsdialog.yaml",
    "goda_exempel.yaml",
)


class TemplateFileError(DataFileError):
    """A file that is not a valid template; `errors` lists every problem with its path."""


def load_yaml(content: str | bytes) -> dict[str, Any]:
    """Parse and validate a template file into its normalised definition (or TemplateFileError)."""
    try:
        raw, errors = read_yaml(content)
    except DataFileError as exc:
        raise TemplateFileError(exc.errors) from None
    definition, more = normalise(raw)
    errors = errors + more
    if errors:
        raise TemplateFileError(errors)
    return definition


def install(definition: dict[str, Any]) -> tuple[TemplateVersion, bool]:
    """Install a validated definition: a new version if its content changed; (version, created)."""
    digest = checksum(definition)
    with transaction.atomic():
        template, _created = ProgrammeTemplate.objects.select_for_update().get_or_create(
            slug=definition["id"], defaults={"title": definition["title"]}
        )
        latest = template.latest()
        if latest is not None and latest.checksum == digest:
            return latest, False
        number = latest.number + 1 if latest else 1
        version = TemplateVersion.objects.create(
            template=template, number=number, definition=definition, checksum=digest
        )
        template.title = definition["title"]
        template.save(update_fields=["title"])
        return version, True


def install_shipped_templates() -> list[tuple[TemplateVersion, bool]]:
    """Install every shipped template; idempotent; every file is validated before any install."""
    definitions = [load_yaml((DATA_DIR / name).read_bytes()) for name in SHIPPED_FILES]
    with transaction.atomic():
        return [install(definition) for definition in definitions]
