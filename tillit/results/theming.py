"""The themes of a published result's comments, computed in the background after publishing.

Anonymity: themes are made from the comment lists the snapshot already publishes, never from
responses. The model is fitted on the published comments alone, one comment text gets one theme
everywhere, and a unit's theme counts are counted over the comments shown at that unit. A count is
then a function of a list anyone reading the unit already sees, so subtracting counts across units
tells nothing the lists do not: the residual rule (k_text) and the publication ledger that decide
the lists decide the themes too. A unit whose comments are hidden has no themes, counts or quotes.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from tillit.org.models import Person, Unit
from tillit.results.models import ResultSnapshot, ResultUnit
from tillit.themes.actions import codebook_for
from tillit.themes.pipeline import find_themes

QUOTES = 3
QUOTE_LENGTH = (25, 300)  # quotes of a readable length first, whole comments always


def _quotes(texts: list[str], strength: dict[str, float], salt: str) -> list[str]:
    """Up to three whole comments that show a theme best: the strongest of a readable length."""
    distinct = list(dict.fromkeys(texts))
    low, high = QUOTE_LENGTH

    def rank(text: str) -> tuple:
        readable = low <= len(text) <= high
        digest = hashlib.sha256(f"{salt}\x00{text}".encode()).hexdigest()
        return (not readable, -round(strength.get(text, 0.0), 3), digest)

    return sorted(distinct, key=rank)[:QUOTES]


def _shown_entries(row: ResultUnit) -> list[dict[str, Any]]:
    return [entry for entry in row.data.get("comments") or [] if "texts" in entry]


def theme_snapshot(snapshot: ResultSnapshot) -> int:
    """Theme the comments the snapshot publishes and store the themes in it; returns how many
    themes were found. Call inside a transaction holding the snapshot's row."""
    if snapshot.data.get("phase") != "published":
        return 0
    rows = list(snapshot.units.filter(shown=True))
    texts: set[str] = set()
    for row in rows:
        for entry in _shown_entries(row):
            texts.update(entry["texts"])
    campaign = snapshot.campaign
    organisation = campaign.organisation
    names = list(Unit.objects.filter(organisation=organisation).values_list("name", flat=True))
    names += Person.objects.filter(organisation=organisation).values_list("name", flat=True)
    names.append(organisation.name)
    found = find_themes(
        sorted(texts),
        codebook=codebook_for(organisation),
        names=names,
        default_language=organisation.language,
    )
    salt = f"{campaign.pk}:quotes"
    by_id = {row.external_id: row for row in rows}
    totals: Counter = Counter()
    for row in rows:
        counts: Counter = Counter()
        members: dict[str, list[str]] = defaultdict(list)
        parent = by_id.get(row.parent_external_id)
        parent_shows = (
            {entry["item"] for entry in _shown_entries(parent)} if parent is not None else set()
        )
        for entry in _shown_entries(row):
            ids = [found.theme_of.get(text) for text in entry["texts"]]
            entry["themes"] = ids
            # Each comment's language, so the page can mark it (WCAG 3.1.2, language of parts).
            entry["languages"] = [found.language_of.get(text, "") for text in entry["texts"]]
            for text, theme_id in zip(entry["texts"], ids, strict=True):
                if theme_id is None:
                    continue
                counts[theme_id] += 1
                members[theme_id].append(text)
                # The topmost lists that show an item are disjoint and hold all it published.
                if entry["item"] not in parent_shows:
                    totals[theme_id] += 1
        row.data["themes"] = [
            {
                "id": theme_id,
                "count": count,
                "quotes": _quotes(members[theme_id], found.strength, salt),
            }
            for theme_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        # The overview's units × themes table reads summaries only.
        summary = {key: value for key, value in row.summary.items() if key != "theme_counts"}
        if _shown_entries(row):  # a unit whose comments are hidden has no counts, not zeros
            summary["theme_counts"] = dict(counts)
        row.summary = summary
    ResultUnit.objects.bulk_update(rows, ["data", "summary"], batch_size=500)
    snapshot.data["themes"] = [
        {
            "id": theme.id,
            "key": theme.key,
            "labels": theme.labels,
            "terms": theme.terms,
            "count": totals[theme.id],
        }
        for theme in found.themes
        if totals[theme.id]
    ]
    snapshot.data["themes_at"] = timezone.now().isoformat()
    snapshot.save(update_fields=["data"])
    return len(snapshot.data["themes"])


@task(queue_name="default")
def theme_results(campaign_id: int) -> str:
    """Theme a campaign's published comments (queued by `store_snapshot` after it publishes)."""
    with transaction.atomic():
        snapshot = (
            ResultSnapshot.objects.select_for_update()
            .select_related("campaign__organisation")
            .filter(campaign_id=campaign_id)
            .first()
        )
        if snapshot is None or not snapshot.ready:
            return "gone"
        return f"{theme_snapshot(snapshot)} themes"


def theme_label(theme: dict[str, Any], language: str) -> str:
    """A theme's name in `language`: the codebook's name, or its top words when it emerged."""
    labels = theme.get("labels") or {}
    return labels.get(language) or labels.get("sv") or ", ".join(theme.get("terms", [])[:3])
