"""validate_answers, visible_items and clean_answers on a small instrument and on HME."""

from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tillit.instruments.definition import (
    AnswerError,
    clean_answers,
    validate_answers,
    visible_items,
)
from tillit.instruments.loading import load_yaml
from tillit.instruments.shipped import DATA_DIR


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the default language (Swedish) is tested on its own.
    with translation.override("en"):
        yield


SMALL = load_yaml((Path(__file__).parent / "data" / "instruments" / "small.yaml").read_bytes())
HME = load_yaml((DATA_DIR / "hme.yaml").read_bytes())


def ids(errors: list[AnswerError]) -> list[str]:
    return [error.item for error in errors]


def test_complete_valid_answers_have_no_errors():
    answers = {"q1": 4, "q2": "5", "role": "manager", "tools": ["mail", "chat"], "years": "12"}
    answers["comment"] = "Bra!"
    assert validate_answers(SMALL, answers, partial=False) == []
    assert clean_answers(SMALL, answers) == {
        "q1": 4,
        "q2": 5,
        "role": "manager",
        "tools": ["mail", "chat"],
        "years": 12,
        "comment": "Bra!",
    }


def test_out_of_range_and_wrong_types_are_refused():
    errors = validate_answers(
        SMALL,
        {"q1": 6, "q2": 2.5, "role": "boss", "years": 51, "tools": "mail"},
        partial=True,
    )
    assert [str(e) for e in errors] == [
        "q1: 6 is outside the scale 1–5.",
        "q2: Choose a whole number from 1 to 5.",
        "role: “boss” is not one of the choices.",
        "years: Enter a number of at most 50.",
        "tools: Expected a list of choices.",
    ]
    assert ids(validate_answers(SMALL, {"q1": True, "years": "ten"}, partial=True)) == [
        "q1",
        "years",
    ]


def test_unknown_items_are_refused():
    errors = validate_answers(SMALL, {"q1": 3, "q99": 3}, partial=True)
    assert [str(e) for e in errors] == ["q99: There is no such question."]


def test_over_long_text_is_refused_with_the_limit_stated():
    answers = {"q1": 3, "role": "manager", "comment": "x" * 21}
    assert [e.message for e in validate_answers(SMALL, answers, partial=True)] == [
        "The text is 21 characters long; at most 20 are allowed."
    ]
    answers["comment"] = "x" * 20
    assert validate_answers(SMALL, answers, partial=True) == []


def test_missing_required_only_when_not_partial():
    assert validate_answers(SMALL, {}, partial=True) == []
    assert [str(e) for e in validate_answers(SMALL, {"q1": ""}, partial=False)] == [
        "q1: This question must be answered."
    ]


def test_multiple_choice():
    assert validate_answers(SMALL, {"tools": ["mail", "phone"]}, partial=True) == []
    assert validate_answers(SMALL, {"tools": []}, partial=True) == []
    assert [e.message for e in validate_answers(SMALL, {"tools": ["fax"]}, partial=True)] == [
        "“fax” is not one of the choices."
    ]
    assert [
        e.message for e in validate_answers(SMALL, {"tools": ["mail", "mail"]}, partial=True)
    ] == ["A choice is given more than once."]


def test_hidden_items_are_checked_but_never_required_and_dropped_when_cleaned():
    # q2 is shown only when q1 >= 3; comment only when role == manager.
    visible = [item["id"] for item in visible_items(SMALL, {"q1": 2, "role": "staff"})]
    assert visible == ["q1", "role", "tools", "years"]
    visible = [item["id"] for item in visible_items(SMALL, {"q1": 3, "role": "manager"})]
    assert visible == ["q1", "q2", "role", "tools", "years", "comment"]

    answers = {"q1": 2, "q2": 5, "role": "staff", "comment": "old text"}
    assert validate_answers(SMALL, answers, partial=False) == []
    assert clean_answers(SMALL, answers) == {"q1": 2, "role": "staff"}
    # A hidden answer is still never garbage.
    assert ids(validate_answers(SMALL, {"q1": 2, "q2": 9}, partial=False)) == ["q2"]


def test_errors_are_translated():
    with translation.override("sv"):
        (error,) = validate_answers(SMALL, {"q1": 6}, partial=True)
    assert error.message == "6 ligger utanför skalan 1–5."


@given(st.integers(min_value=1, max_value=5), st.sampled_from(["mot1", "led2", "sty3"]))
def test_any_integer_on_the_scale_is_accepted(value, item):
    assert validate_answers(HME, {item: value}, partial=True) == []
    assert validate_answers(HME, {item: str(value)}, partial=True) == []


@given(st.integers().filter(lambda v: not 1 <= v <= 5), st.sampled_from(["mot1", "led2"]))
def test_any_integer_off_the_scale_is_refused(value, item):
    assert ids(validate_answers(HME, {item: value}, partial=True)) == [item]


@given(st.one_of(st.floats(allow_nan=True), st.text(), st.lists(st.integers()), st.booleans()))
def test_anything_else_is_refused_or_accepted_only_as_a_scale_value(value):
    errors = validate_answers(HME, {"mot1": value}, partial=True)
    acceptable = value in ("", []) or (
        not isinstance(value, bool | list)
        and str(value).strip() in {"1", "2", "3", "4", "5", "1.0", "2.0", "3.0", "4.0", "5.0"}
    )
    assert (errors == []) == acceptable


@pytest.mark.parametrize("value", [1, 5])
def test_hme_is_complete_with_nine_answers(value):
    answers = dict.fromkeys(["mot1", "mot2", "mot3", "led1", "led2", "led3"], value)
    answers.update(sty1=value, sty2=value, sty3=value)
    assert validate_answers(HME, answers, partial=False) == []
    assert len(clean_answers(HME, answers)) == 9
