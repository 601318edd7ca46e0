"""The text pipeline on its own: languages, stop words and names, and the labelled test comments."""

from pathlib import Path

import pytest

from tillit.themes.languages import detect_language, words
from tillit.themes.pipeline import analyse, find_themes

DATA = Path(__file__).resolve().parent.parent / "data" / "themes"
LABELS = {"workload", "leadership", "documentation", "it_systems", "premises"}
LABELS |= {"collaboration", "citizens", "trust"}


def labelled(language: str) -> list[tuple[str, str]]:
    rows = []
    for number, line in enumerate((DATA / f"{language}.tsv").read_text().splitlines(), 1):
        label, text = line.split("\t")
        assert label in LABELS, f"{language}.tsv line {number}: unknown label {label!r}"
        rows.append((label, text))
    return rows


@pytest.mark.parametrize("language", ["sv", "da", "nb", "en"])
def test_at_least_seventy_percent_land_in_the_right_theme(language):
    rows = labelled(language)
    assert len(rows) >= 200 and len({text for _label, text in rows}) == len(rows)
    found = find_themes([text for _label, text in rows], default_language=language)
    right = sum(found.theme_of[text] == label for label, text in rows)
    share = right / len(rows)
    print(f"{language}: {right}/{len(rows)} = {share:.1%} in the right theme")
    assert share >= 0.70


def test_all_four_languages_together_keep_the_mark():
    """One organisation's comments come in several languages at once."""
    rows = [row for language in ("sv", "da", "nb", "en") for row in labelled(language)]
    found = find_themes([text for _label, text in rows])
    right = sum(found.theme_of[text] == label for label, text in rows)
    assert right / len(rows) >= 0.70


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Vi hinner inte med allt och chefen är aldrig här.", "sv"),
        ("Vi når ikke det hele, og lederen er her aldrig.", "da"),
        ("Vi rekker ikke alt, og lederen er aldri her.", "nb"),
        ("We never get through everything and the manager is not here.", "en"),
    ],
)
def test_language_by_function_words(text, language):
    assert detect_language(words(text), default="sv") == language


def test_names_never_become_theme_words():
    texts = [f"Anna Lindqvist på Ekbacken har för mycket {w}." for w in ("ärenden", "möten")] * 3
    docs = analyse(texts, names=["Anna Lindqvist", "Ekbackens förskola"])
    stems = {stem for doc in docs for stem in doc.stems}
    assert not stems & {"anna", "lindqvist", "ekback", "ekbacken"}
    found = find_themes(texts * 10, names=["Anna Lindqvist", "Ekbackens förskola"])
    terms = {term for theme in found.themes for term in theme.terms}
    assert not terms & {"anna", "lindqvist", "ekbacken"}


def test_seeded_themes_keep_their_names_and_the_result_is_repeatable():
    rows = labelled("sv")
    first = find_themes([text for _label, text in rows])
    again = find_themes([text for _label, text in reversed(rows)])
    assert first.theme_of == again.theme_of
    labels = {theme.id: theme.labels.get("sv") for theme in first.themes}
    assert labels["workload"] == "Arbetsbelastning" and labels["it_systems"] == "IT-system"


def test_emerging_themes_are_found_and_named_by_their_words():
    """Comments about nothing in the codebook: NMF finds them, the stability measure picks k."""
    canteen = [
        f"Maten i matsalen är {w} och portionerna {p}."
        for w in ("kall", "god", "salt", "ljummen", "dyr", "billig")
        for p in ("små", "stora", "okej", "snåla", "fina")
    ]
    bikes = [
        f"Cykelstället vid {w} saknar tak och cyklarna {p}."
        for w in ("entrén", "gaveln", "garaget", "baksidan", "grinden", "skolan")
        for p in ("rostar", "blir blöta", "stjäls", "välter", "står i vägen")
    ]
    found = find_themes(canteen + bikes, default_language="sv")
    emerging = [theme for theme in found.themes if theme.key is None]
    assert len(emerging) >= 2
    words_of = {word for theme in emerging for word in theme.terms}
    assert {"maten", "cykelstället"} & words_of or {"matsalen", "cyklarna"} & words_of
