"""Reading programme template files, installing them as versions, and the shipped templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from tillit.instruments.definition import checksum
from tillit.instruments.loading import _StrictLoader
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


class TemplateFileError(Exception):
    """A file that is not a valid template; `errors` lists every problem with its path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


def load_yaml(content: str | bytes) -> dict[str, Any]:
    """Parse and validate a template file into its normalised definition (or TemplateFileError)."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TemplateFileError(
                [_("the file is not UTF-8 text (byte %(position)s)") % {"position": exc.start}]
            ) from None
    # The instruments' loader reports duplicate keys instead of keeping the last one silently.
    loader = _StrictLoader(content)
    try:
        raw = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = (
            _("line %(line)s, column %(column)s")
            % {"line": mark.line + 1, "column": mark.column + 1}
            if mark
            else _("(file)")
        )
        problem = getattr(exc, "problem", None) or str(exc)
        raise TemplateFileError(
            [_("%(where)s: not valid YAML (%(problem)s)") % {"where": where, "problem": problem}]
        ) from None
    finally:
        loader.dispose()
    definition, errors = normalise(raw)
    errors = loader.duplicates + errors
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
