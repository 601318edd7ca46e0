"""Alphabetical order in the reader's Nordic alphabet."""

from tillit.core.collation import collation_key


def order(names, language):
    return sorted(names, key=lambda n: collation_key(n, language))


def test_swedish_puts_a_ring_a_diaeresis_o_diaeresis_after_z():
    names = ["Öby", "Åby", "Ängby", "Zeta", "Aby", "Éva", "ekby"]
    assert order(names, "sv") == ["Aby", "ekby", "Éva", "Zeta", "Åby", "Ängby", "Öby"]


def test_danish_and_norwegian_put_ae_o_slash_a_ring_after_z():
    names = ["Århus", "Ølstykke", "Ærø", "Zealand", "Aabenraa"]
    for language in ("da", "nb"):
        assert order(names, language) == ["Aabenraa", "Zealand", "Ærø", "Ølstykke", "Århus"]


def test_english_and_the_active_language():
    from django.utils import translation

    with translation.override("sv"):
        assert sorted(["Öby", "Zeta"], key=collation_key) == ["Zeta", "Öby"]
    assert order(["Öby", "Zeta", "Oby"], "en")[0] == "Oby"
