"""XLSForm import: a good form becomes the normalised definition; unsupported features are named."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from tillit.instruments.definition import item_by_id, score_answers, visible_items
from tillit.instruments.loading import InstrumentFileError, install, load_xlsform
from tillit.instruments.models import InstrumentVersion


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the default language (Swedish) is tested on its own.
    with translation.override("en"):
        yield


SV, EN = "label::Svenska (sv)", "label::English (en)"
SURVEY_HEADER = ["type", "name", SV, EN, "required", "relevant"]
SURVEY = [
    ["begin_group", "arbete", "Arbetet", "Work", "", ""],
    ["select_one agree", "trivs", "Jag trivs.", "I thrive.", "yes", ""],
    ["select_one agree", "lar", "Jag lär mig.", "I learn.", "", "${trivs} >= 3"],
    ["select_one role", "roll", "Roll", "Role", "", ""],
    ["end_group", "", "", "", "", ""],
    ["select_multiple tools", "verktyg", "Verktyg", "Tools", "", "${roll} = 'chef'"],
    ["integer", "ar", "Antal år", "Years", "no", ""],
    ["decimal", "timmar", "Timmar per vecka", "Hours a week", "", ""],
    ["text", "kommentar", "Kommentar", "Comment", "", "selected(${verktyg}, 'chat')"],
]
CHOICES_HEADER = ["list_name", "name", SV, EN]
CHOICES = [
    ["agree", 1, "Mycket dåligt", "Very poor"],
    ["agree", 2, "Ganska dåligt", "Fairly poor"],
    ["agree", 3, "Varken eller", "Neither"],
    ["agree", 4, "Ganska bra", "Fairly good"],
    ["agree", 5, "Mycket bra", "Very good"],
    ["role", "medarbetare", "Medarbetare", "Employee"],
    ["role", "chef", "Chef", "Manager"],
    ["tools", "mail", "E-post", "E-mail"],
    ["tools", "chat", "Chatt", "Chat"],
]
SETTINGS = [["form_id", "version", "form_title"], ["arbetsmiljo", "2024050101", "Arbetsmiljö"]]


def workbook(survey=None, choices=None, settings=None, survey_header=None) -> bytes:
    """An .xlsx built with openpyxl, like an author's file."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in [survey_header or SURVEY_HEADER, *(SURVEY if survey is None else survey)]:
        sheet.append(row)
    choices_sheet = book.create_sheet("choices")
    for row in [CHOICES_HEADER, *(CHOICES if choices is None else choices)]:
        choices_sheet.append(row)
    settings_sheet = book.create_sheet("settings")
    for row in SETTINGS if settings is None else settings:
        settings_sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(InstrumentFileError) as info:
        load_xlsform(data)
    return info.value.errors


def test_good_form_becomes_a_definition():
    definition = load_xlsform(workbook())
    assert definition["id"] == "arbetsmiljo"
    assert definition["languages"] == ["sv", "en"]
    assert definition["title"] == {"sv": "Arbetsmiljö", "en": "Arbetsmiljö"}
    assert [s["id"] for s in definition["sections"]] == ["arbete", "part2"]
    assert definition["sections"][0]["title"] == {"sv": "Arbetet", "en": "Work"}
    items = item_by_id(definition)
    assert items["trivs"]["type"] == "scale" and items["trivs"]["scale"] == "agree"
    assert items["trivs"]["required"] is True and items["lar"]["required"] is False
    assert definition["scales"]["agree"] == {
        "min": 1,
        "max": 5,
        "labels": {
            "sv": ["Mycket dåligt", "Ganska dåligt", "Varken eller", "Ganska bra", "Mycket bra"],
            "en": ["Very poor", "Fairly poor", "Neither", "Fairly good", "Very good"],
        },
    }
    assert items["roll"]["type"] == "single"
    assert items["roll"]["choices"][1] == {
        "value": "chef",
        "label": {"sv": "Chef", "en": "Manager"},
    }
    assert items["verktyg"]["type"] == "multiple"
    assert items["ar"]["type"] == "number" and items["ar"]["integer"] is True
    assert items["timmar"]["integer"] is False
    assert items["kommentar"]["type"] == "text" and items["kommentar"]["max_length"] == 2000
    assert items["lar"]["show_if"] == {"item": "trivs", "op": ">=", "value": 3}
    assert items["verktyg"]["show_if"] == {"item": "roll", "op": "==", "value": "chef"}
    assert items["kommentar"]["show_if"] == {"item": "verktyg", "op": "==", "value": "chat"}
    assert definition["scoring"]["method"] == "linear"
    assert score_answers(definition, {"trivs": 5, "lar": 3}) == {"total": 75}
    shown = visible_items(definition, {"trivs": 2, "roll": "chef", "verktyg": ["chat"]})
    assert [item["id"] for item in shown] == [
        "trivs",
        "roll",
        "verktyg",
        "ar",
        "timmar",
        "kommentar",
    ]


@pytest.mark.django_db
def test_good_form_installs_and_reinstalls_unchanged():
    version, created = install(load_xlsform(workbook()))
    assert created and version.number == 1
    _again, created = install(load_xlsform(workbook()))
    assert not created


def test_unsupported_types_and_columns_are_named_with_their_row():
    survey = [
        *SURVEY,
        ["geopoint", "plats", "Plats", "Place", "", ""],
        ["calculate", "summa", "", "", "", ""],
        ["begin_repeat", "barn", "Barn", "Children", "", ""],
        ["text", "namn", "Namn", "Name", "", ""],
        ["end_repeat", "", "", "", "", ""],
        ["note", "info", "Tack", "Thanks", "", ""],
        ["integer", "alder", "Ålder", "Age", "", "${ar} > 3 and ${ar} < 9"],
        ["text", "fri", "Fritt", "Free", "maybe", ""],
        ["select_one role or_other", "roll2", "Roll", "Role", "", ""],
        ["start", "start", "", "", "", ""],
        ["text", "epost", "E-post", "E-mail", "", ""],
    ]
    header = [*SURVEY_HEADER, "constraint", "calculation", "hint"]
    survey = [[*row, "", "", ""] for row in survey]
    survey[6][6] = ". >= 0"  # ar: a lower bound on a number is supported
    survey[8][6] = "regex(., '^a')"
    survey[10][7] = "${ar} * 2"
    survey[19][8] = "Ingen adress"
    errors = errors_of(workbook(survey=survey, survey_header=header))
    assert errors == [
        "survey row 10: constraint 'regex(., '^a')' is not supported (only '. >= 0 and . <= 10' "
        "on numbers or 'string-length(.) <= 500' on text)",
        "survey row 11: type 'geopoint' is not supported",
        "survey row 12: type 'calculate' is not supported",
        "survey row 13: type 'begin_repeat' is not supported",
        "survey row 16: a note between questions is not supported (Tillit shows text only "
        "before the first question, as the form's description)",
        "survey row 17: relevant '${ar} > 3 and ${ar} < 9' is not supported "
        "(only ${item} >= 3 style comparisons or selected(${item}, 'value'))",
        "survey row 18: required 'maybe' is not supported (use yes or no)",
        "survey row 19: 'or_other' is not supported",
        "survey row 21: column 'hint' is not supported",
    ]


def test_pyxform_refusals_keep_their_row():
    survey = [*SURVEY, ["select_one colours", "farg", "Färg", "Colour", "", ""]]
    assert errors_of(workbook(survey=survey)) == [
        "survey row 11: List name not in choices sheet: colours"
    ]


@pytest.mark.django_db
def test_a_bad_form_installs_nothing():
    before = InstrumentVersion.objects.count()
    with pytest.raises(InstrumentFileError):
        install(load_xlsform(workbook(survey=[*SURVEY, ["image", "bild", "B", "P", "", ""]])))
    assert InstrumentVersion.objects.count() == before


def test_validation_errors_point_at_rows():
    survey = [row[:] for row in SURVEY]
    survey[2][3] = ""  # no English label for 'lar'
    survey[1][5] = "${lar} >= 3"  # forward reference
    survey[8][4] = "yes"  # required free text
    choices = [row[:] for row in CHOICES]
    choices[6][3] = ""  # no English label for 'chef'
    errors = errors_of(workbook(survey=survey, choices=choices))
    assert errors == [
        "survey row 3 (trivs), show_if.item: 'lar' is not an earlier item "
        "(show_if may only refer to one before it)",
        "survey row 4 (lar), text.en: missing text in 'en'",
        "choices row 8, label.en: missing text in 'en'",
        "survey row 10 (kommentar), required: free-text questions are always optional",
    ]


def test_settings_and_languages_that_cannot_be_used():
    survey = [["integer", "ar", "År", "Years", "", ""]]
    errors = errors_of(
        workbook(
            survey=survey,
            choices=[],
            settings=[["form_id", "public_key"], ["f", "MIIBIjAN"]],
            survey_header=["type", "name", SV, "label::Suomi (fi)", "required", "relevant"],
        )
    )
    assert errors == [
        "settings row 2: column 'public_key' is not supported",
        "survey column 'label::Suomi (fi)': language 'Suomi (fi)' is not supported "
        "(known: sv, da, nb, en)",
    ]


def test_not_a_workbook():
    assert errors_of(b"type,name\ntext,q1\n") == ["(file): not an .xlsx workbook"]
    book = Workbook()
    book.active.title = "questions"
    buffer = io.BytesIO()
    book.save(buffer)
    assert errors_of(buffer.getvalue()) == ["(file): there is no 'survey' sheet"]


def test_select_one_with_other_values_stays_a_choice():
    choices = [["agree", v, f"s{v}", f"e{v}"] for v in (0, 1, 2, 3, 4)] + CHOICES[5:]
    definition = load_xlsform(workbook(choices=choices, survey=SURVEY[:2] + SURVEY[3:]))
    assert item_by_id(definition)["trivs"]["type"] == "single"
    assert definition["scales"] == {} and definition["scoring"] == {"method": "none"}


def test_default_language_as_the_spec_writes_it():
    """ "Svenska (sv)" (the XLSForm spec's form) and "sv" both name Swedish; an unknown one is
    named, not silently replaced."""
    plain = ["type", "name", "label", EN, "required"]
    survey = [["integer", "ar", "Antal år", "Years", "no"]]
    for given in ("Svenska (sv)", "sv"):
        definition = load_xlsform(
            workbook(
                survey=survey,
                choices=[],
                survey_header=plain,
                settings=[["form_id", "default_language"], ["f", given]],
            )
        )
        code = given[-3:-1] if "(" in given else given
        assert sorted(definition["languages"]) == sorted([code, "en"])
        assert definition["sections"][0]["items"][0]["text"][code] == "Antal år"
    errors = errors_of(
        workbook(
            survey=survey,
            choices=[],
            survey_header=plain,
            settings=[["form_id", "default_language"], ["f", "Klingon (tlh)"]],
        )
    )
    assert errors == [
        "settings, default_language: language 'Klingon (tlh)' is not supported "
        "(known: sv, da, nb, en)"
    ]


def test_where_an_error_is_speaks_the_readers_language():
    survey = [["geopoint", "gps", "Plats", "Place", "", ""]]
    with translation.override("sv"):
        errors = errors_of(workbook(survey=survey))
    assert any(e.startswith("survey rad 2") for e in errors), errors
    assert not any(" row " in e for e in errors), errors


def test_parameters_are_refused_not_dropped():
    header = [*SURVEY_HEADER, "parameters"]
    survey = [[*row, ""] for row in SURVEY]
    survey[3][6] = "randomize=true"
    assert errors_of(workbook(survey=survey, survey_header=header)) == [
        "survey row 5: column 'parameters' is not supported"
    ]
