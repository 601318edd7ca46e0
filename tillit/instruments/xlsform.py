"""XLSForm (ODK/KoboToolbox spreadsheet) → the raw instrument shape that `validation` checks.

The workbook is read by pyxform, the ODK project's reference implementation of the XLSForm spec,
so a form is read exactly as ODK reads it: `label`, `label::English`, `label:english` and
`label::English (en)` columns, a missing settings sheet, `begin group`/`begin_group`, type
aliases. Its result (the spec's JSON form) is then mapped to Tillit's instrument:

- `select_one L` → a scale when L's values are exactly 1–5, or consecutive whole numbers and the
  question's appearance is `likert`; otherwise a single choice. `select_multiple L` → multiple.
  `integer`, `decimal`, `text` → number and text items.
- a group (one level) → a section; questions outside groups form untitled sections.
- notes before the first question → the form's description (Tillit shows text at the start only).
- `required`; `relevant` as `${q} >= 3` or `selected(${q}, 'x')`; `constraint` on numbers as
  `. >= a and . <= b` (→ min/max) and on text as `string-length(.) <= n` (→ max_length).
- metadata that ODK records about the device or the time (start, end, today, deviceid …) is not
  recorded by Tillit – an answer carries no more than its day (ANONYMITY.md) – and is skipped.

What Tillit cannot run – repeats, calculations, media, hints, defaults, choice filters, other
question types, compound `relevant` – is refused with its sheet and row, never dropped.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict, deque
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

SIMPLE_TYPES = {"integer": "number", "decimal": "number", "text": "text"}
SELECT_TYPES = {"select one": "single", "select all that apply": "multiple"}
# Collected by ODK about the device or the moment; Tillit records none of it.
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
}
DISPLAY_APPEARANCES = {"", "likert", "minimal", "horizontal", "horizontal-compact", "quick"}
GROUP_APPEARANCES = {"", "field-list"}
# Keys of pyxform's JSON that Tillit reads, per element kind; any other is refused by the
# column it came from.
QUESTION_KEYS = {"type", "name", "label", "bind", "control", "itemset", "list_name", "choices"}
GROUP_KEYS = {"type", "name", "label", "control", "children", "bind"}
BIND_KEYS = {"required", "relevant", "constraint", "jr:constraintMsg", "jr:requiredMsg"}
# pyxform's JSON key → the XLSForm column an author knows it by.
COLUMN_OF = {
    "media": "media",
    "hint": "hint",
    "guidance_hint": "guidance_hint",
    "default": "default",
    "choice_filter": "choice_filter",
    "trigger": "trigger",
    "calculate": "calculation",
    "readonly": "read_only",
    "jr:preload": "default",
}
REFUSED_SETTINGS = {"public_key": "public_key", "submission_url": "submission_url"}

LANGUAGE_CODE_RE = re.compile(r"\(([A-Za-z-]+)\)\s*$")
LANGUAGE_NAMES = {
    "svenska": "sv",
    "swedish": "sv",
    "dansk": "da",
    "danish": "da",
    "norsk": "nb",
    "norsk bokmål": "nb",
    "bokmål": "nb",
    "norwegian": "nb",
    "norwegian bokmål": "nb",
    "english": "en",
    "engelska": "en",
    "engelsk": "en",
}
RELEVANT_RE = re.compile(
    r"""^\s*\$\{(?P<item>[^}]+)\}\s*(?P<op>=|!=|>=|<=|>|<)\s*"""
    r"""(?:'(?P<s1>[^']*)'|"(?P<s2>[^"]*)"|(?P<num>-?\d+(?:\.\d+)?))\s*$"""
)
SELECTED_RE = re.compile(
    r"""^\s*selected\(\s*\$\{(?P<item>[^}]+)\}\s*,\s*(?:'(?P<s1>[^']*)'|"(?P<s2>[^"]*)")\s*\)\s*$"""
)
BOUND_RE = re.compile(r"^\s*\.\s*(?P<op>>=|<=)\s*(?P<num>-?\d+(?:\.\d+)?)\s*$")
LENGTH_RE = re.compile(r"^\s*string-length\(\s*\.\s*\)\s*<=\s*(?P<num>\d+)\s*$")
ITEM_PATH_RE = re.compile(r"sections\[\d+\]\.items\[\d+\]")
TRUE_VALUES = {"yes", "true", "true()", "1"}
FALSE_VALUES = {"", "no", "false", "false()", "0"}


def language_code(name: str) -> str:
    """The language code in an XLSForm language name: "English (en)", "English", "english",
    "en" → "en"; "" when the name says no language Tillit knows of."""
    match = LANGUAGE_CODE_RE.search(name)
    text = (match.group(1) if match else name).strip().lower()
    text = LANGUAGE_NAMES.get(text, text)
    known = {code for code, _name in settings.LANGUAGES}
    return text if text in known else ""


def form_slug(text: str) -> str:
    """An instrument id from a form_id or a file name: lower case, other characters as '_'."""
    slug = re.sub(r"[^a-z0-9_-]+", "_", text.strip().lower()).strip("_-")
    return slug[:60] or "form"


class XLSFormReader:
    """Converts one workbook; collects every error with its sheet and row.

    `name` (the file's name without its suffix) gives the id and title of a form without a
    settings sheet; `language` is the language of plain `label` columns when the settings do
    not give default_language (else the site's default language).
    """

    def __init__(self, data: bytes, name: str = "", language: str = "") -> None:
        self.errors: list[str] = []
        self.data = data
        self.name = name
        self.language = language
        self.path_labels: dict[str, str] = {}
        self.rows: dict[str, deque[int]] = defaultdict(deque)
        self.choice_rows: dict[tuple[str, str], int] = {}
        self.types: dict[int, str] = {}

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def read(self) -> dict[str, Any] | None:
        """The raw instrument, or None when the errors so far make it pointless to go on."""
        try:
            book = get_xlsform(io.BytesIO(self.data), file_type=".xlsx")
        except (PyXFormError, ValueError, OSError):
            self.error(_("(file)"), _("not an .xlsx workbook"))
            return None
        if not book.survey:
            self.error(_("(file)"), _("there is no 'survey' sheet"))
            return None
        for index, row in enumerate(book.survey):
            number = index + 2  # the header is row 1; pyxform keeps blank rows in place
            if row.get("name"):
                self.rows[row["name"]].append(number)
            self.types[number] = re.sub(r"\s+", " ", row.get("type", "")).strip()
        for index, row in enumerate(book.choices or []):
            key = (row.get("list_name", ""), row.get("name", ""))
            self.choice_rows.setdefault(key, index + 2)
        try:
            form = workbook_to_json(book, form_name=None, fallback_form_name=None)
        except PyXFormError as exc:
            self.errors.append(_pyxform_message(str(exc)))
            return None
        return self._convert(form, book)

    def _convert(self, form: dict, book: Any) -> dict[str, Any] | None:
        settings_row = (book.settings or [{}])[0]
        for key, column in REFUSED_SETTINGS.items():
            if settings_row.get(key):
                self.error(
                    _row("settings", 2),
                    _("column '%(column)s' is not supported") % {"column": column},
                )
        self.default_name = form.get("default_language", "default")
        self.default = self._default_language(self.default_name)
        self.languages: list[str] = []
        self._collect_languages(form)
        if not self.languages:
            self.error("survey", _("there is no label column"))
            return None
        form_id = settings_row.get("form_id") or settings_row.get("id_string") or self.name
        title = settings_row.get("form_title") or form_id
        if settings_row:
            self.path_labels["id"] = f"{_row('settings', 2)}, form_id"
            self.path_labels["title"] = f"{_row('settings', 2)}, form_title"
        self.path_labels["sections"] = "survey"
        raw: dict[str, Any] = {
            "id": form_slug(form_id or "form"),
            "version": _int_or_one(settings_row.get("version")),
            "title": dict.fromkeys(self.languages, title or "form"),
            "languages": self.languages,
            "scales": {},
            "sections": [],
            "scoring": {"method": "none"},
        }
        self.lists: dict[str, list] = form.get("choices") or {}
        self.description: dict[str, list[str]] = {}
        self.seen_question = False
        for element in form.get("children", []):
            self._element(element, raw, None)
        if self.description:
            raw["description"] = {
                language: "\n\n".join(parts) for language, parts in self.description.items()
            }
        if raw["scales"]:
            raw["scoring"] = {"method": "linear", "to_min": 0, "to_max": 100}
        return strip_private(raw)

    # Languages -----------------------------------------------------------------------------

    def _default_language(self, given: str) -> str:
        """The settings' default_language ("Svenska (sv)", "sv", "Swedish"); else the reader's
        `language`; else the site's default."""
        if not given or given == "default":
            return self.language or settings.LANGUAGE_CODE
        code = language_code(given)
        if not code:
            known = [code for code, _name in settings.LANGUAGES]
            self.error(
                "settings, default_language",
                _("language '%(code)s' is not supported (known: %(known)s)")
                % {"code": given, "known": ", ".join(known)},
            )
            return settings.LANGUAGE_CODE
        return code

    def _collect_languages(self, element: dict) -> None:
        texts = [element.get("label")]
        if isinstance(element.get("choices"), list):
            texts += [choice.get("label") for choice in element["choices"]]
        for text in texts:
            names = text.keys() if isinstance(text, dict) else ([] if text is None else ["default"])
            for name in names:
                code = self._code(name)
                if code and code not in self.languages:
                    self.languages.append(code)
        for child in element.get("children", []):
            self._collect_languages(child)

    def _code(self, name: str) -> str:
        if name in ("default", self.default_name):
            return self.default
        code = language_code(name)
        if not code and name not in getattr(self, "_refused_languages", set()):
            self._refused_languages = {*getattr(self, "_refused_languages", set()), name}
            known = [code for code, _name in settings.LANGUAGES]
            self.error(
                _("%(sheet)s column '%(column)s'")
                % {"sheet": "survey", "column": f"label::{name}"},
                _("language '%(code)s' is not supported (known: %(known)s)")
                % {"code": name, "known": ", ".join(known)},
            )
        return code

    def _text(self, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            return {self.default: str(value)}
        texts = {}
        for name, text in value.items():
            code = self.default if name in ("default", self.default_name) else language_code(name)
            if code and text and code not in texts:
                texts[code] = str(text)
        return texts

    # Elements ------------------------------------------------------------------------------

    def _row_of(self, element: dict) -> int | None:
        queue = self.rows.get(element.get("name", ""))
        return queue.popleft() if queue else None

    def _element(self, element: dict, raw: dict, section: dict | None) -> None:
        kind = element.get("type", "")
        number = self._row_of(element)
        if number is None:
            # Added by pyxform itself (the meta group with instanceID): nothing the author wrote.
            return
        where = _row("survey", number)
        written = self.types.get(number, kind)
        if kind in METADATA_TYPES:
            return
        if re.search(r"\bor[_ ]other$", written):
            self.error(where, _("'or_other' is not supported"))
            self.rows.get(f"{element.get('name')}_other", deque()).clear()
            return
        if kind == "repeat":
            self.error(where, _("type '%(type)s' is not supported") % {"type": written})
            self._skip(element)
            return
        if kind == "group":
            self._group(element, raw, section, where)
            return
        if kind == "note":
            self._note(element, section, where)
            return
        if kind not in SIMPLE_TYPES and kind not in SELECT_TYPES:
            self.error(where, _("type '%(type)s' is not supported") % {"type": written})
            return
        self.seen_question = True
        item = self._item(element, kind, where, raw)
        if item is None:
            return
        target = section
        if target is None:
            loose = raw["sections"][-1] if raw["sections"] else None
            if loose is None or not loose.get("_loose"):
                loose = {"id": f"part{len(raw['sections']) + 1}", "items": [], "_loose": True}
                raw["sections"].append(loose)
            target = loose
        path = f"sections[{raw['sections'].index(target)}].items[{len(target['items'])}]"
        self.path_labels[path] = f"{where} ({item.get('id') or '?'})"
        for index, choice_row in enumerate(item.pop("_rows", [])):
            if choice_row:
                self.path_labels[f"{path}.choices[{index}]"] = _row("choices", choice_row)
        target["items"].append(item)

    def _skip(self, element: dict) -> None:
        """Consume the rows of a refused container's children, so later rows stay matched."""
        for child in element.get("children", []):
            self._row_of(child)
            self._skip(child)

    def _group(self, element: dict, raw: dict, section: dict | None, where: str) -> None:
        if section is not None:
            self.error(where, _("groups inside groups are not supported"))
            self._skip(element)
            return
        self._unsupported_keys(element, GROUP_KEYS, where)
        appearance = (element.get("control") or {}).get("appearance", "")
        if appearance not in GROUP_APPEARANCES:
            self.error(where, _("appearance '%(value)s' is not supported") % {"value": appearance})
        for column in ("required", "relevant"):
            if (element.get("bind") or {}).get(column):
                self.error(
                    where, _("'%(column)s' on a group is not supported") % {"column": column}
                )
        section = {
            "id": element.get("name", ""),
            "title": self._text(element.get("label")),
            "items": [],
        }
        self.path_labels[f"sections[{len(raw['sections'])}]"] = where
        raw["sections"].append(section)
        for child in element.get("children", []):
            self._element(child, raw, section)

    def _note(self, element: dict, section: dict | None, where: str) -> None:
        if section is not None or self.seen_question:
            self.error(
                where,
                _(
                    "a note between questions is not supported (Tillit shows text only before "
                    "the first question, as the form's description)"
                ),
            )
            return
        self._unsupported_keys(element, {"type", "name", "label"}, where)
        for language, text in self._text(element.get("label")).items():
            self.description.setdefault(language, []).append(text)

    def _unsupported_keys(self, element: dict, allowed: set[str], where: str) -> None:
        for key, value in element.items():
            if key in allowed or value in ({}, None, ""):
                continue
            self.error(
                where,
                _("column '%(column)s' is not supported") % {"column": COLUMN_OF.get(key, key)},
            )
        for key, value in (element.get("control") or {}).items():
            if key != "appearance" and value not in ("", None, False):
                self.error(
                    where, _("column '%(column)s' is not supported") % {"column": f"body::{key}"}
                )
        for key, value in (element.get("bind") or {}).items():
            if key not in BIND_KEYS and value not in ("", None):
                self.error(
                    where,
                    _("column '%(column)s' is not supported") % {"column": COLUMN_OF.get(key, key)},
                )

    def _item(self, element: dict, kind: str, where: str, raw: dict) -> dict | None:
        self._unsupported_keys(element, QUESTION_KEYS, where)
        bind = element.get("bind") or {}
        item: dict[str, Any] = {"id": element.get("name", "")}
        appearance = (element.get("control") or {}).get("appearance", "")
        if kind in SIMPLE_TYPES:
            item["type"] = SIMPLE_TYPES[kind]
            if kind == "decimal":
                item["integer"] = False
        else:
            list_name = element.get("list_name") or element.get("itemset") or ""
            # pyxform leaves the choices on the form only (not the question) in some cases,
            # such as randomised lists.
            choices = element.get("choices") or self.lists.get(list_name)
            if not choices:
                # select_one_from_file and the like: the choices are not on the choices sheet.
                self.error(
                    where,
                    _("list '%(list)s' is not on the choices sheet") % {"list": list_name},
                )
                return None
            # Other extra columns on the choices sheet only feed a choice_filter (refused).
            with_media = [choice for choice in choices if choice.get("media")]
            if with_media:
                row = self.choice_rows.get((list_name, with_media[0].get("name", "")))
                self.error(
                    _row("choices", row) if row else where,
                    _("column '%(column)s' is not supported") % {"column": "media"},
                )
            values = [str(choice.get("name", "")) for choice in choices]
            if kind == "select one" and _scale_range(values, appearance):
                item["type"] = "scale"
                item["scale"] = list_name
                self._add_scale(raw, list_name, choices, values)
            else:
                item["type"] = SELECT_TYPES[kind]
                item["choices"] = [
                    {"value": value, "label": self._text(choice.get("label"))}
                    for value, choice in zip(values, choices, strict=True)
                ]
                item["_rows"] = [self.choice_rows.get((list_name, value)) for value in values]
        item["text"] = self._text(element.get("label"))
        item["required"] = self._flag(where, str(bind.get("required", "")))
        if appearance.lower() not in DISPLAY_APPEARANCES:
            self.error(where, _("appearance '%(value)s' is not supported") % {"value": appearance})
        if bind.get("relevant"):
            item["show_if"] = self._relevant(where, bind["relevant"])
        if bind.get("constraint"):
            self._constraint(where, item, bind["constraint"])
        return item

    def _add_scale(self, raw: dict, name: str, choices: list[dict], values: list[str]) -> None:
        if name in raw["scales"]:
            return
        ordered = sorted(zip(values, choices, strict=True), key=lambda pair: int(pair[0]))
        texts = [self._text(choice.get("label")) for _value, choice in ordered]
        raw["scales"][name] = {
            "min": int(ordered[0][0]),
            "max": int(ordered[-1][0]),
            "labels": {
                language: [text.get(language, "") for text in texts] for language in self.languages
            },
        }
        row = self.choice_rows.get((name, ordered[0][0]), "?")
        self.path_labels[f"scales.{name}"] = _("choices list '%(name)s' (row %(row)s)") % {
            "name": name,
            "row": row,
        }

    def _flag(self, where: str, value: str) -> bool:
        text = value.strip().lower()
        if text in TRUE_VALUES:
            return True
        if text not in FALSE_VALUES:
            self.error(
                where,
                _("required '%(value)s' is not supported (use yes or no)") % {"value": value},
            )
        return False

    def _relevant(self, where: str, expression: str) -> dict | None:
        match = RELEVANT_RE.match(expression) or SELECTED_RE.match(expression)
        if match is None:
            self.error(
                where,
                _(
                    "relevant '%(expression)s' is not supported (only ${item} >= 3 style "
                    "comparisons or selected(${item}, 'value'))"
                )
                % {"expression": expression},
            )
            return None
        groups = match.groupdict()
        op = groups.get("op") or "=="
        op = "==" if op == "=" else op
        if groups.get("num") is not None:
            value: Any = _number(groups["num"])
        else:
            value = groups["s1"] if groups["s1"] is not None else groups["s2"]
        return {"item": groups["item"].strip(), "op": op, "value": value}

    def _constraint(self, where: str, item: dict, expression: str) -> None:
        """`. >= 0 and . <= 120` on a number (min/max), `string-length(.) <= 500` on text."""
        parts = [part for part in re.split(r"\s+and\s+", expression.strip()) if part]
        bounds = [BOUND_RE.match(part) for part in parts]
        if item["type"] == "number" and all(bounds):
            for match in bounds:
                key = "min" if match.group("op") == ">=" else "max"
                item[key] = _number(match.group("num"))
            return
        length = LENGTH_RE.match(expression)
        if item["type"] == "text" and length:
            item["max_length"] = int(length.group("num"))
            return
        self.error(
            where,
            _(
                "constraint '%(expression)s' is not supported (only '. >= 0 and . <= 10' on "
                "numbers or 'string-length(.) <= 500' on text)"
            )
            % {"expression": expression},
        )


def _scale_range(values: list[str], appearance: str) -> bool:
    """A 1–5 list, or any run of 3–11 consecutive whole numbers shown as likert."""
    try:
        numbers = sorted(int(value) for value in values)
    except ValueError:
        return False
    if numbers == [1, 2, 3, 4, 5]:
        return True
    consecutive = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    return appearance == "likert" and consecutive and 3 <= len(numbers) <= 11


def _number(text: str) -> int | float:
    number = float(text)
    return int(number) if number.is_integer() else number


def _int_or_one(value: Any) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number < 2**31 else 1


def _pyxform_message(message: str) -> str:
    """pyxform's "[row : 4] On the 'survey' sheet, …" as "survey row 4: …"."""
    match = re.match(r"^\[row : (\d+)\]\s*(?:On the '(\w+)' sheet, )?(.*)$", message, re.S)
    if match is None:
        return f"{_('(file)')}: {message.strip()}"
    number, sheet, rest = match.groups()
    return f"{_row(sheet or 'survey', int(number))}: {rest.strip()}"


def _row(sheet: str, number: int) -> str:
    """ "survey row 4" in the reader's language (the sheet keeps its XLSForm name)."""
    return _("%(sheet)s row %(row)s") % {"sheet": sheet, "row": number}


def strip_private(raw: dict) -> dict:
    """The raw instrument without the reader's own markers."""
    for section in raw.get("sections", []):
        section.pop("_loose", None)
    return raw


def relabel(errors: list[str], path_labels: dict[str, str]) -> list[str]:
    """Rewrite validator paths (`sections[0].items[2].text.en`) as sheet rows for the author."""
    result = []
    for error in errors:
        path, sep, message = error.partition(": ")
        best = max(
            (prefix for prefix in path_labels if path == prefix or path.startswith(prefix + ".")),
            key=len,
            default=None,
        )
        if best is None or not sep:
            result.append(error)
            continue
        rest = path[len(best) :].lstrip(".")
        label = path_labels[best]
        message = ITEM_PATH_RE.sub(lambda m: path_labels.get(m.group(0), m.group(0)), message)
        result.append(f"{label}, {rest}: {message}" if rest else f"{label}: {message}")
    return result
