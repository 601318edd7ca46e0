"""Plain words next to numbers, in all four languages; the heatmap palette."""

import pytest
from django.utils import translation

from tillit.results.charts import FILLS, TEXT_ON, heat_class
from tillit.results.present import change_words


@pytest.mark.parametrize(
    "language, up, down, same",
    [
        ("sv", "Ledarskap 78 – 4 poäng högre än förra gången", "1 poäng lägre", "samma som"),
        ("da", "Ledarskap 78 – 4 point højere end sidste gang", "1 point lavere", "det samme"),
        ("nb", "Ledarskap 78 – 4 poeng høyere enn forrige gang", "1 poeng lavere", "det samme"),
        ("en", "Ledarskap 78 – 4 points above last time", "1 point below", "the same as"),
    ],
)
def test_change_in_plain_words(language, up, down, same):
    with translation.override(language):
        assert change_words("Ledarskap", 78.2, 74.4) == up
        assert down in change_words("Ledarskap", 77.0, 78.0)
        assert same in change_words("Ledarskap", 70.2, 69.9)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_palette_is_ordered_in_grey_and_text_meets_contrast():
    lightness = [_luminance(c) for c in FILLS]
    assert lightness == sorted(lightness, reverse=True)  # darker means higher, in grey too
    for fill, text in zip(FILLS, TEXT_ON, strict=True):
        light, dark = sorted([_luminance(fill), _luminance(text)], reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5
    assert [heat_class(v) for v in (None, 10, 55, 65, 75, 95)] == [
        "heat-none",
        "heat-1",
        "heat-2",
        "heat-3",
        "heat-4",
        "heat-5",
    ]


def test_areas_that_tie_are_neither_strongest_nor_weakest():
    from tillit.results.pages import strongest_and_weakest

    def rows(*values):
        return [{"label": f"a{n}", "value": v} for n, v in enumerate(values)]

    assert strongest_and_weakest(rows(75, 75, 75, 75)) == {"weakest": [], "strongest": []}
    split = strongest_and_weakest(rows(60, 70, 70, 80))
    assert [r["value"] for r in split["weakest"]] == [60]
    assert [r["value"] for r in split["strongest"]] == [80]
    # 74.6 and 75.4 both read 75: shown as equal, so neither is called stronger.
    assert strongest_and_weakest(rows(74.6, 75.4, 75.2)) == {"weakest": [], "strongest": []}
    three = strongest_and_weakest(rows(50, 60, 90))
    assert [r["value"] for r in three["weakest"]] == [50, 60]
    assert [r["value"] for r in three["strongest"]] == [90]
    assert strongest_and_weakest([]) == {"weakest": [], "strongest": []}
