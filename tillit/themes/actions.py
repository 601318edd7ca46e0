"""Keeping an organisation's codebook: start from the shipped one, rename, merge, add."""

from __future__ import annotations

import copy

from django.db import transaction
from django.utils.text import slugify

from tillit.org.models import Organisation
from tillit.themes.codebook import CODEBOOK
from tillit.themes.languages import LANGUAGES
from tillit.themes.models import CodebookTheme


def codebook_for(organisation: Organisation) -> dict[str, dict]:
    """The codebook the organisation's comments are themed with: its own, else the shipped one."""
    own = list(CodebookTheme.objects.filter(organisation=organisation))
    if not own:
        return copy.deepcopy(CODEBOOK)
    return {theme.key: {"labels": theme.labels, "terms": theme.terms} for theme in own}


@transaction.atomic
def do_start_codebook(organisation: Organisation) -> list[CodebookTheme]:
    """The organisation's own copy of the shipped codebook (nothing done if it has one)."""
    existing = list(CodebookTheme.objects.select_for_update().filter(organisation=organisation))
    if existing:
        return existing
    return CodebookTheme.objects.bulk_create(
        CodebookTheme(
            organisation=organisation,
            key=key,
            labels=dict(entry["labels"]),
            terms=dict(entry["terms"]),
            position=n,
        )
        for n, (key, entry) in enumerate(CODEBOOK.items())
    )


@transaction.atomic
def do_rename_theme(theme: CodebookTheme, labels: dict[str, str]) -> CodebookTheme:
    """Give a theme new names (a language left empty keeps its name)."""
    theme.labels = {**theme.labels, **{k: v.strip() for k, v in labels.items() if v.strip()}}
    theme.save(update_fields=["labels"])
    return theme


@transaction.atomic
def do_merge_themes(source: CodebookTheme, target: CodebookTheme) -> CodebookTheme:
    """Fold `source` into `target`: its cue words join the target's and it goes."""
    if source.pk == target.pk or source.organisation_id != target.organisation_id:
        raise ValueError("a theme can be merged only into another theme of the same codebook")
    for language in LANGUAGES:
        words = (target.terms.get(language, "") + " " + source.terms.get(language, "")).split()
        target.terms[language] = " ".join(dict.fromkeys(words))
    target.save(update_fields=["terms"])
    source.delete()
    return target


@transaction.atomic
def do_add_theme(
    organisation: Organisation, label: str, words: str, language: str
) -> CodebookTheme:
    """A new seeded theme (e.g. an emerging theme worth keeping): one name, cue words in one
    language; the other languages can be added by renaming and merging later."""
    do_start_codebook(organisation)
    label, words = label.strip(), " ".join(words.replace(",", " ").split())
    if not label or not words:
        raise ValueError("a theme needs a name and at least one cue word")
    base = slugify(label)[:32] or "theme"
    key, n = base, 1
    while CodebookTheme.objects.filter(organisation=organisation, key=key).exists():
        n += 1
        key = f"{base}-{n}"
    last = CodebookTheme.objects.filter(organisation=organisation).order_by("-position").first()
    return CodebookTheme.objects.create(
        organisation=organisation,
        key=key,
        labels=dict.fromkeys(LANGUAGES, label),
        terms={language: words},
        position=(last.position + 1) if last else 0,
    )
