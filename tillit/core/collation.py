"""Alphabetical order as a Nordic reader expects it: å, ä, ö after z (Swedish) and æ, ø, å
after z (Danish, Norwegian), where plain code-point order put "Åby" before "Ängby" and an
accented "É" after "Ö"."""

from __future__ import annotations

import unicodedata

from django.utils.translation import get_language

AFTER_Z = {
    "sv": {"å": "{a", "ä": "{b", "æ": "{b", "ö": "{c", "ø": "{c"},
    "da": {"æ": "{a", "ä": "{a", "ø": "{b", "ö": "{b", "å": "{c"},
    "nb": {"æ": "{a", "ä": "{a", "ø": "{b", "ö": "{b", "å": "{c"},
}


def collation_key(text: str, language: str | None = None) -> str:
    """A sort key for `text` in the alphabet of `language` (the active one by default);
    other accented letters sort with their base letter (é with e)."""
    letters = AFTER_Z.get((language or get_language() or "sv")[:2], {})
    out = []
    for char in text.casefold():
        if char in letters:
            out.append(letters[char])
            continue
        base = unicodedata.normalize("NFKD", char)[:1]
        out.append(base if base.isascii() else char)
    return "".join(out) + "\x00" + text.casefold()  # then "O" before "Ö", always the same way
