"""Find words of the wrong language on a page: a Danish page must show no Swedish or English.

`assert_speaks(page, "da")` reads the page's visible text – leaving out elements marked with
another `lang` (a quoted Swedish title, the language menu's own names) – and fails on any
word from the other languages' lists below. The lists hold common words that exist in only
one of the four languages (not "for", "to", "under", "eller", "organisation", "personer"), so
a hit is a real leak, not a coincidence. Identifiers (in `<code>`, or snake_case such as
unit_id) are skipped; names in the test's data must be in the page's language as well.
"""

import re

SWEDISH = {
    "och",
    "inte",
    "enhet",
    "enheter",
    "spara",
    "avbryt",
    "ändra",
    "sök",
    "från",
    "för",
    "är",
    "vad",
    "när",
    "också",
    "inställningar",
    "hjälp",
    "logga",
    "enkät",
    "enkäter",
    "åtgärd",
    "åtgärder",
    "ladda",
    "välj",
    "kolumn",
    "kolumner",
    "förhandsgranska",
    "genomför",
    "nästa",
    "processägare",
    "sparades",
    "finns",
    "inga",
}
ENGLISH = {
    "the",
    "and",
    "of",
    "save",
    "cancel",
    "is",
    "with",
    "your",
    "you",
    "not",
    "yet",
    "this",
    "what",
    "help",
    "settings",
    "people",
    "units",
    "unit",
    "preview",
    "apply",
    "next",
    "results",
    "survey",
    "surveys",
    "please",
    "choose",
    "column",
    "columns",
    "file",
    "there",
    "which",
    "nothing",
}
DANISH = {
    "og",
    "ikke",
    "enhed",
    "enheder",
    "gem",
    "annuller",
    "hvad",
    "hvor",
    "indstillinger",
    "hjælp",
    "undersøgelse",
    "vælg",
    "kolonne",
    "næste",
    "leder",
    "procesejer",
    "blev",
    "nu",
}
NORWEGIAN = {
    "ikke",
    "enhet",
    "lagre",
    "avbryt",
    "hva",
    "hvor",
    "innstillinger",
    "hjelp",
    "undersøkelse",
    "velg",
    "neste",
    "prosesseier",
    "ble",
    "nå",
}
FOREIGN = {
    "da": SWEDISH | ENGLISH,
    "nb": (SWEDISH | ENGLISH) - {"enhet", "enheter", "avbryt", "inga"},
    "sv": ENGLISH | (DANISH - {"leder", "nu"}) | (NORWEGIAN - {"enhet", "avbryt", "hjelp"}),
    "en": SWEDISH | DANISH,
}

VISIBLE_TEXT = """(lang) => {
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!element || element.closest('script, style, template, option, code')) continue;
    const marked = element.closest('[lang]');
    if (marked && marked.getAttribute('lang').split('-')[0] !== lang) continue;
    if (!element.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    parts.push(node.textContent);
  }
  for (const el of document.querySelectorAll('[aria-label], input[placeholder], img[alt]')) {
    const marked = el.closest('[lang]');
    if (marked && marked.getAttribute('lang').split('-')[0] !== lang) continue;
    parts.push(el.getAttribute('aria-label') || el.getAttribute('placeholder')
               || el.getAttribute('alt') || '');
  }
  parts.push(document.title);
  return parts.join(' ');
}"""

# Tokens of letters, digits and underscores kept whole, so that codes and identifiers (a join
# code NU8MVM, unit_id) can be skipped instead of yielding "nu" or "unit".
WORD = re.compile(r"\w+(?:-\w+)*")


def foreign_words(text: str, language: str, allow: set[str] = frozenset()) -> list[str]:
    """The words of `text` that belong to another language (lower case, sorted, unique)."""
    listed = FOREIGN[language] - {w.lower() for w in allow}
    words = (
        w.lower() for w in WORD.findall(text) if "_" not in w and not any(c.isdigit() for c in w)
    )
    return sorted({w for w in words if w in listed})


def assert_speaks(page, language: str, allow: set[str] = frozenset()) -> None:
    """Fail when the page's visible text holds a word of another language."""
    html_lang = page.evaluate("document.documentElement.lang")
    assert html_lang == language, f"{page.url} is in {html_lang!r}, not {language!r}"
    text = page.evaluate(VISIBLE_TEXT, language)
    found = foreign_words(text, language, allow)
    assert not found, f"{page.url} ({language}) shows words of another language: {found}\n" + (
        "\n".join(f"  …{context}…" for context in contexts(text, found))
    )


def contexts(text: str, words: list[str], width: int = 40) -> list[str]:
    """Where each word stands in the text (its first occurrence), to find the string to fix."""
    found = []
    for word in words:
        match = re.search(rf"(?<![^\W\d]){re.escape(word)}(?![^\W\d])", text, re.IGNORECASE)
        if match:
            start, end = max(0, match.start() - width), match.end() + width
            found.append(" ".join(text[start:end].split()))
    return found
