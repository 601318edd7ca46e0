"""Instrument YAML: the shipped files, validation with paths, versioned install and scoring."""

import copy
from pathlib import Path

import pytest
import yaml
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tillit.core.datafiles import checksum
from tillit.instruments.definition import (
    item_by_id,
    iter_items,
    score_answers,
    score_item,
    text_for,
)
from tillit.instruments.loading import InstrumentFileError, install, load_yaml
from tillit.instruments.models import Instrument, InstrumentVersion
from tillit.instruments.shipped import DATA_DIR, install_shipped
from tillit.instruments.validation import normalise


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the default language (Swedish) is tested on its own.
    with translation.override("en"):
        yield


DATA = Path(__file__).parent / "data" / "instruments"
LANGUAGES = ["sv", "da", "nb", "en"]

# SKR's nine items as DOMAIN.md gives them; Kolada comparability needs them character for character.
HME_ITEMS = {
    "motivation": [
        "Mitt arbete känns meningsfullt.",
        "Jag lär nytt och utvecklas i mitt dagliga arbete.",
        "Jag ser fram emot att gå till arbetet.",
    ],
    "ledarskap": [
        "Min närmaste chef visar uppskattning för mina arbetsinsatser.",
        "Min närmaste chef visar förtroende för mig som medarbetare.",
        "Min närmaste chef ger mig förutsättningar att ta ansvar i mitt arbete.",
    ],
    "styrning": [
        "Jag är insatt i min arbetsplats mål.",
        "Min arbetsplats mål följs upp och utvärderas på ett bra sätt.",
        "Jag vet vad som förväntas av mig i mitt arbete.",
    ],
}


def shipped(name: str) -> dict:
    return load_yaml((DATA_DIR / name).read_bytes())


def small_raw() -> dict:
    return yaml.safe_load((DATA / "small.yaml").read_text(encoding="utf-8"))


def errors_of(raw_or_text) -> list[str]:
    text = raw_or_text if isinstance(raw_or_text, str) else yaml.safe_dump(raw_or_text)
    with pytest.raises(InstrumentFileError) as info:
        load_yaml(text)
    return info.value.errors


# --- the shipped instruments -------------------------------------------------------------


def test_hme_has_skrs_items_exactly_with_constructs_and_attribution():
    hme = shipped("hme.yaml")
    constructs = {c["id"]: c["items"] for c in hme["constructs"]}
    items = item_by_id(hme)
    assert list(constructs) == ["motivation", "ledarskap", "styrning"]
    for construct, texts in HME_ITEMS.items():
        assert [items[i]["text"]["sv"] for i in constructs[construct]] == texts
    assert len(items) == 9
    assert hme["scales"]["hme5"]["labels"]["sv"][0] == "Stämmer mycket dåligt"
    assert hme["scales"]["hme5"]["labels"]["sv"][-1] == "Stämmer mycket bra"
    assert hme["languages"] == LANGUAGES
    assert "Sveriges Kommuner och Regioner (SKR)" in hme["attribution"]["sv"]
    for language in ("da", "nb", "en"):
        assert "SKR" in hme["translation_note"][language]
    assert "Translation" in hme["translation_note"]["en"]


def test_tillitsindex_has_three_items_per_principle_and_two_optional_texts():
    index = shipped("tillitsindex.yaml")
    titles = [c["title"]["sv"] for c in index["constructs"]]
    assert titles == [
        "Tillit",
        "Medborgarfokus",
        "Helhetssyn",
        "Handlingsutrymme",
        "Stöd",
        "Kunskap",
        "Öppenhet",
    ]
    assert all(len(c["items"]) == 3 for c in index["constructs"])
    items = item_by_id(index)
    for construct in index["constructs"]:
        assert all(items[i]["construct"] == construct["id"] for i in construct["items"])
    texts = [item for _s, item in iter_items(index) if item["type"] == "text"]
    assert len(texts) == 2
    assert not any(item["required"] for item in texts)
    for _section, item in iter_items(index):
        assert set(item["text"]) == set(LANGUAGES)


def test_goda_exempel_has_story_then_areas_with_three_or_four_questions():
    goda = shipped("goda_exempel.yaml")
    sections = goda["sections"]
    assert [s["id"] for s in sections] == ["berattelse", "ledarskap", "styrning", "kultur"]
    assert len(sections[0]["items"]) == 1
    assert all(3 <= len(s["items"]) <= 4 for s in sections[1:])
    assert all(item["type"] == "text" for _s, item in iter_items(goda))
    assert goda["scoring"] == {"method": "none"}
    assert score_answers(goda, {"berattelse": "Vi …"}) == {}


def test_an_organisation_can_add_an_eighth_principle(org):
    raw = yaml.safe_load((DATA_DIR / "tillitsindex.yaml").read_text(encoding="utf-8"))
    raw["constructs"].append(
        {"id": "langsiktighet", "title": dict.fromkeys(LANGUAGES, "Långsiktighet")}
    )
    raw["sections"].insert(
        -1,
        {
            "id": "langsiktighet",
            "items": [
                {
                    "id": f"langsiktighet{n}",
                    "type": "scale",
                    "scale": "agree5",
                    "construct": "langsiktighet",
                    "text": dict.fromkeys(LANGUAGES, f"Påstående {n}"),
                }
                for n in (1, 2, 3)
            ],
        },
    )
    version, created = install(load_yaml(yaml.safe_dump(raw, allow_unicode=True)), org)
    assert created and version.instrument.organisation == org
    assert len(version.definition["constructs"]) == 8
    scores = score_answers(version.definition, {"langsiktighet1": 5, "tillit1": 1})
    assert scores["langsiktighet"] == 100 and scores["tillit"] == 0 and scores["total"] == 50


@pytest.mark.django_db
def test_install_shipped_is_idempotent():
    first = install_shipped()
    assert [(v.instrument.slug, v.number, c) for v, c in first] == [
        ("hme", 1, True),
        ("tillitsindex", 1, True),
        ("goda-exempel", 1, True),
    ]
    again = install_shipped()
    assert [c for _v, c in again] == [False, False, False]
    assert InstrumentVersion.objects.count() == 3
    hme = Instrument.objects.get(slug="hme", organisation=None)
    assert hme.latest().number == 1
    assert hme.title_in("da") == "HME – Bæredygtigt medarbejderengagement"


# --- scoring --------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [1, 2, 3, 4, 5])
def test_hme_item_score_is_answer_minus_one_times_25(answer):
    hme = shipped("hme.yaml")
    assert score_item(hme, item_by_id(hme)["mot1"], answer) == (answer - 1) * 25


def test_hme_sub_indices_and_total_are_means():
    hme = shipped("hme.yaml")
    answers = {
        "mot1": 5, "mot2": 4, "mot3": 3,  # 100, 75, 50 → 75
        "led1": 2, "led2": 2, "led3": 1,  # 25, 25, 0 → 16.67
        "sty1": 4, "sty2": 5, "sty3": 5,  # 75, 100, 100 → 91.67
    }  # fmt: skip
    scores = score_answers(hme, answers)
    assert scores["motivation"] == 75
    assert scores["ledarskap"] == pytest.approx(50 / 3)
    assert scores["styrning"] == pytest.approx(275 / 3)
    assert scores["total"] == pytest.approx(550 / 9)
    # A skipped item leaves the means of what was answered.
    partial = score_answers(hme, {"mot1": 5, "mot2": 1})
    assert partial["motivation"] == 50 and partial["ledarskap"] is None
    assert partial["total"] == 50


def test_sum_scoring_adds_raw_values_and_needs_every_item():
    raw = small_raw()
    raw["scoring"] = {"method": "sum"}
    definition = load_yaml(yaml.safe_dump(raw, allow_unicode=True))
    assert score_answers(definition, {"q1": 4, "q2": 5})["wellbeing"] == 9
    assert score_answers(definition, {"q1": 4})["wellbeing"] is None


def test_text_for_falls_back_to_swedish_then_any():
    assert text_for({"sv": "Hej", "en": "Hi"}, "en") == "Hi"
    assert text_for({"sv": "Hej", "en": "Hi"}, "da") == "Hej"
    assert text_for({"en": "Hi"}, "da") == "Hi"
    assert text_for({}, "sv") == ""


# --- versions -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_file_is_unchanged_and_changed_file_is_version_two():
    definition = load_yaml((DATA / "small.yaml").read_bytes())
    first, created = install(definition)
    assert created and first.number == 1 and first.definition["version"] == 1
    again, created = install(load_yaml((DATA / "small.yaml").read_bytes()))
    assert not created and again.pk == first.pk

    raw = small_raw()
    raw["sections"][0]["items"][0]["text"]["sv"] = "Jag trivs på jobbet."
    second, created = install(load_yaml(yaml.safe_dump(raw, allow_unicode=True)))
    assert created and second.number == 2
    assert second.checksum != first.checksum
    first.refresh_from_db()
    assert first.definition["sections"][0]["items"][0]["text"]["sv"] == "Jag trivs."
    assert first.checksum == checksum(first.definition)
    assert second.instrument.latest() == second


@pytest.mark.django_db
def test_organisation_instruments_are_separate_from_global_ones(org, other_org):
    definition = load_yaml((DATA / "small.yaml").read_bytes())
    global_version, _ = install(definition)
    own, created = install(definition, org)
    other, _ = install(copy.deepcopy(definition), other_org)
    assert created and own.instrument != global_version.instrument
    assert len({global_version.instrument_id, own.instrument_id, other.instrument_id}) == 3
    assert own.number == 1


# --- bad files ----------------------------------------------------------------------------


def test_the_small_file_is_valid():
    assert item_by_id(load_yaml((DATA / "small.yaml").read_bytes()))["comment"]["max_length"] == 20


def test_missing_required_key():
    raw = small_raw()
    del raw["title"]
    del raw["sections"][1]["items"][0]["type"]
    assert errors_of(raw) == [
        "title: missing required key",
        "sections[1].items[0].type: missing required key",
    ]


def test_unknown_scale_has_the_exact_path():
    raw = small_raw()
    raw["sections"][0]["items"][1]["scale"] = "agree7"
    assert errors_of(raw) == ["sections[0].items[1].scale: unknown scale 'agree7'"]


def test_duplicate_item_id():
    raw = small_raw()
    raw["sections"][1]["items"][1]["id"] = "q1"
    assert errors_of(raw) == [
        "sections[1].items[1].id: duplicate item id 'q1' (first at sections[0].items[0])"
    ]


def test_missing_language_text_and_undeclared_language():
    raw = small_raw()
    del raw["sections"][0]["items"][2]["choices"][1]["label"]["en"]
    raw["title"]["da"] = "Lille undersøgelse"
    raw["scales"]["agree5"]["labels"]["en"].pop()
    assert errors_of(raw) == [
        "title.da: language 'da' is not declared in languages",
        "scales.agree5.labels.en: expected a list of 5 non-empty labels, one per value",
        "sections[0].items[2].choices[1].label.en: missing text in 'en'",
    ]


def test_show_if_may_not_refer_forward():
    raw = small_raw()
    raw["sections"][0]["items"][0]["show_if"] = {"item": "q2", "op": ">=", "value": 3}
    assert errors_of(raw) == [
        "sections[0].items[0].show_if.item: 'q2' is not an earlier item "
        "(show_if may only refer to one before it)"
    ]


def test_construct_with_unknown_or_non_scale_item():
    raw = small_raw()
    raw["constructs"][0]["items"] = ["q1", "nope", "role"]
    assert errors_of(raw) == [
        "constructs[0].items[1]: unknown item 'nope'",
        "constructs[0].items[2]: 'role' is a single item; only scale items can be in a construct",
    ]


def test_many_mistakes_are_all_reported():
    raw = small_raw()
    raw["colour"] = "blue"
    raw["languages"] = ["sv", "en", "fi"]
    raw["scales"]["agree5"]["min"] = 5
    raw["sections"][0]["items"][2]["choices"][1]["value"] = "staff"
    raw["sections"][1]["items"][1].update(min=10, max=5)
    raw["sections"][1]["items"][2]["required"] = True
    raw["sections"][1]["items"][0]["scale"] = "agree5"
    raw["scoring"] = {"method": "median"}
    errors = errors_of(raw)
    assert errors == [
        "colour: unknown key (allowed here: id, version, title, languages, sections, "
        "description, attribution, translation_note, scales, constructs, scoring)",
        "languages[2]: unknown language 'fi' (known: sv, da, nb, en)",
        "scales.agree5: min (5) must be less than max (5)",
        "sections[0].items[0].scale: unknown scale 'agree5'",
        "sections[0].items[1].scale: unknown scale 'agree5'",
        "sections[0].items[2].choices[1].value: duplicate choice value 'staff'",
        "sections[1].items[0].scale: only allowed for items of type scale",
        "sections[1].items[1]: min (10) must be less than max (5)",
        "sections[1].items[2].required: free-text questions are always optional",
        "sections[1].items[2].show_if.value: 'manager' is not a choice of 'role'",
        "scoring.method: unknown method 'median' (known: linear, sum, none)",
    ]


def test_not_yaml_at_all():
    # libyaml says "… in this context", PyYAML's own parser "… here".
    [error] = errors_of("id: x\n  - : [unclosed\n")
    assert error.startswith("line 2, column 5: not valid YAML (mapping values are not allowed")
    assert errors_of("just a sentence") == ["(file): expected a mapping (key: value), got a text"]
    with pytest.raises(InstrumentFileError) as info:
        load_yaml(b"\xff\xfe not utf-8")
    assert info.value.errors == ["the file is not UTF-8 text (byte 0)"]


def test_duplicate_yaml_keys_are_reported_with_their_line():
    text = (
        (DATA / "small.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "title: {sv: Liten enkät, en: Small survey}",
            "title: {sv: Liten enkät, en: Small survey, sv: Annan}",
        )
    )
    assert errors_of(text) == ["line 5, column 44: key 'sv' appears twice in a mapping"]


def _paths(value, prefix=()):
    """Every (container path, key) in a nested structure."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, child in items:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


SMALL_RAW = small_raw()
SMALL_PATHS = list(_paths(SMALL_RAW))
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SMALL_PATHS), JUNK)
def test_any_junk_anywhere_gives_file_errors_not_a_crash(path, junk):
    raw = copy.deepcopy(SMALL_RAW)
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = junk
    # The validator directly (YAML round trips would make this slow); junk must give errors
    # with a path, never an exception.
    definition, errors = normalise(raw)
    if errors:
        assert definition is None and all(": " in error for error in errors)
    else:
        assert checksum(definition)


@pytest.mark.django_db
def test_install_refuses_a_broken_definition_built_in_code():
    definition = load_yaml((DATA / "small.yaml").read_bytes())
    definition["sections"][0]["items"][0]["scale"] = "nope"
    with pytest.raises(InstrumentFileError) as info:
        install(definition)
    assert info.value.errors == ["sections[0].items[0].scale: unknown scale 'nope'"]
    assert Instrument.objects.count() == 0


@pytest.mark.parametrize(
    "content",
    [
        "a: " + "[" * 5000 + "]" * 5000,  # the parser itself would recurse too deeply
        "a: " + "[" * 200 + "]" * 200,  # parses, but the checks would recurse on it
        "a: &loop [1, *loop]",  # a list inside itself
    ],
)
def test_deeply_nested_yaml_is_a_clear_error(content):
    from tillit.core.datafiles import DataFileError, read_yaml
    from tillit.programmes.loading import TemplateFileError
    from tillit.programmes.loading import load_yaml as load_template

    with pytest.raises(DataFileError, match="nested more than"):
        read_yaml(content)
    with pytest.raises(TemplateFileError, match="nested more than"):
        load_template(content)
