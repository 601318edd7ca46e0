"""The word-list check itself: it must catch a leak and let a clean text through."""

from tests.browser.wordcheck import foreign_words


def test_swedish_and_english_words_are_caught_on_a_danish_page():
    assert foreign_words("Gem indstillingerne", "da") == []
    assert foreign_words("Spara och avbryt", "da") == ["avbryt", "och", "spara"]
    assert foreign_words("Save the settings", "da") == ["save", "settings", "the"]
    assert foreign_words("Lagre innstillingene", "nb") == []
    assert foreign_words("Inte sparad", "nb") == ["inte"]


def test_codes_and_identifiers_are_not_words():
    # A random join code holding "nu" (Swedish, Danish "now") is no Swedish word on an English page.
    assert foreign_words("Join with the code NU8MVM or 4OCH2X", "en") == []
    assert foreign_words("kolonnerne unit_id og parent_id", "da") == []
    assert foreign_words("Spara 3 svar nu", "en") == ["nu", "spara"]  # beside digits, still words
