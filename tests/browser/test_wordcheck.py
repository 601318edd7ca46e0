"""The word-list check itself: it must catch a leak and let a clean text through."""

from tests.browser.wordcheck import foreign_words


def test_swedish_and_english_words_are_caught_on_a_danish_page():
    assert foreign_words("Gem indstillingerne", "da") == []
    assert foreign_words("Spara och avbryt", "da") == ["avbryt", "och", "spara"]
    assert foreign_words("Save the settings", "da") == ["save", "settings", "the"]
    assert foreign_words("Lagre innstillingene", "nb") == []
    assert foreign_words("Inte sparad", "nb") == ["inte"]
