"""The XLSForm corpus (tests/data/xlsforms, written by make_corpus.py): which forms import, and
why the others do not – each refusal names the feature with its sheet and row."""

from pathlib import Path

import pytest
from django.utils import translation

from tillit.instruments.loading import InstrumentFileError, load_file

CORPUS = Path(__file__).parent / "data" / "xlsforms"

# form → None (imports) or the errors it gets, in English.
EXPECTED = {
    "arbetsmiljo_sv": None,
    "constraints_supported": None,
    "four_languages": None,
    "group_spaces_true": None,
    "label_language_names": None,
    "label_single_colon": None,
    "likert_zero_to_ten": None,
    "medarbeider_nb_en": None,
    "no_settings_plain_label": None,
    "select_with_choices": None,
    "spec_metadata": None,
    "trivsel_da": None,
    "calculate_bmi": ["survey row 4: type 'calculate' is not supported"],
    "cascading_select": ["survey row 3: column 'choice_filter' is not supported"],
    "default_value": ["survey row 2: column 'default' is not supported"],
    "geopoint_date": [
        "survey row 2: type 'geopoint' is not supported",
        "survey row 3: type 'date' is not supported",
    ],
    "hints": ["survey row 2: column 'hint' is not supported"],
    "media_image": ["survey row 2: column 'media' is not supported"],
    "missing_list": ["survey row 2: List name not in choices sheet: yesno"],
    "nested_groups": ["survey row 3: groups inside groups are not supported"],
    "note_at_end": [
        "survey row 3: a note between questions is not supported (Tillit shows text only "
        "before the first question, as the form's description)"
    ],
    "relevant_compound": [
        "survey row 4: relevant '${manager} = 'yes' and ${age} > 25' is not supported "
        "(only ${item} >= 3 style comparisons or selected(${item}, 'value'))"
    ],
    "repeat_household": ["survey row 2: type 'begin repeat' is not supported"],
    "select_or_other": ["survey row 2: 'or_other' is not supported"],
    "spec_french_english": [
        "survey column 'label::French (fr)': language 'French (fr)' is not supported "
        "(known: sv, da, nb, en)"
    ],
}


def outcome(path: Path) -> list[str] | None:
    try:
        load_file(path)
    except InstrumentFileError as exc:
        return exc.errors
    return None


def test_the_corpus_imports_what_tillit_can_run_and_names_the_rest():
    files = sorted(CORPUS.glob("*.xlsx"))
    assert len(files) >= 20 and {f.stem for f in files} == set(EXPECTED)
    with translation.override("en"):
        found = {path.stem: outcome(path) for path in files}
    assert found == EXPECTED
    assert sum(result is None for result in found.values()) == 12


@pytest.mark.parametrize(
    ("name", "form_id", "languages", "title"),
    [
        ("no_settings_plain_label", "no_settings_plain_label", ["sv"], "no_settings_plain_label"),
        ("label_language_names", "label_language_names", ["en", "sv"], "label_language_names"),
        ("label_single_colon", "clear_goals", ["en", "da"], "clear_goals"),
        ("medarbeider_nb_en", "medarbeider", ["nb", "en"], "medarbeider"),
        ("spec_metadata", "pizza_survey", ["en"], "Pizza"),
    ],
)
def test_ids_and_languages_without_settings_or_codes(name, form_id, languages, title):
    definition = load_file(CORPUS / f"{name}.xlsx")
    assert definition["id"] == form_id
    assert definition["languages"] == languages
    assert set(definition["title"].values()) == {title}


def test_what_the_mapping_keeps():
    sv = load_file(CORPUS / "arbetsmiljo_sv.xlsx")
    assert sv["description"] == {"sv": "Enkäten är anonym och tar fem minuter."}
    assert [s["id"] for s in sv["sections"]] == ["arbetet", "ledning", "part3"]
    assert sv["scales"]["agree"]["labels"]["sv"][4] == "Instämmer helt"
    limits = load_file(CORPUS / "constraints_supported.xlsx")
    age, idea = limits["sections"][0]["items"]
    assert (age["min"], age["max"], idea["max_length"]) == (16, 75, 500)
    enps = load_file(CORPUS / "likert_zero_to_ten.xlsx")
    assert (enps["scales"]["nps"]["min"], enps["scales"]["nps"]["max"]) == (0, 10)
    metadata = load_file(CORPUS / "spec_metadata.xlsx")
    ids = [item["id"] for section in metadata["sections"] for item in section["items"]]
    assert ids == ["age", "likes_pizza"]  # start, end, today, deviceid are never recorded
    plain = load_file(CORPUS / "no_settings_plain_label.xlsx", language="da")
    assert plain["languages"] == ["da"]
