"""XLSForm (ODK/KoboToolbox spreadsheet) → the raw instrument shape that `validation` checks.

Supported: the `survey`, `choices` and `settings` sheets; `label::Svenska (sv)` style columns (a
plain `label` column is the settings' `default_language`, else Swedish); types `select_one L`,
`select_multiple L`, `integer`, `decimal`, `text`, `begin_group`/`end_group` (one level: each group
becomes a section); `required`; `relevant` of the form `${q} >= 3` or `selected(${q}, 'x')`.
A select_one list whose values are exactly 1–5 becomes a 1–5 scale (scored like HME).
Everything else that carries meaning (other types, `constraint`, `calculation`, `choice_filter`,
hints, media, repeats, complex `relevant` …) is refused with its sheet and row, never dropped.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

# A form may declare a million empty rows; stop reading after this many blank ones in a row.
MAX_BLANK_RUN = 500
MAX_ROWS = 5000

TYPE_ALIASES = {
    "begin group": "begin_group",
    "end group": "end_group",
    "begin repeat": "begin_repeat",
    "end repeat": "end_repeat",
    "select one": "select_one",
    "select multiple": "select_multiple",
    "int": "integer",
}
SIMPLE_TYPES = {"integer": "number", "decimal": "number", "text": "text"}
DISPLAY_APPEARANCES = {"", "likert", "minimal", "horizontal", "horizontal-compact", "quick"}
SURVEY_COLUMNS = {"type", "name", "label", "required", "relevant", "appearance"}
CHOICES_COLUMNS = {"list_name", "name", "label"}
SETTINGS_COLUMNS = {"form_id", "version", "form_title", "default_language", "style"}
LANGUAGE_RE = re.compile(r"\(([A-Za-z-]+)\)\s*$")
RELEVANT_RE = re.compile(
    r"""^\s*\$\{(?P<item>[^}]+)\}\s*(?P<op>=|!=|>=|<=|>|<)\s*"""
    r"""(?:'(?P<s1>[^']*)'|"(?P<s2>[^"]*)"|(?P<num>-?\d+(?:\.\d+)?))\s*$"""
)
SELECTED_RE = re.compile(
    r"""^\s*selected\(\s*\$\{(?P<item>[^}]+)\}\s*,\s*(?:'(?P<s1>[^']*)'|"(?P<s2>[^"]*)")\s*\)\s*$"""
)
ITEM_PATH_RE = re.compile(r"sections\[\d+\]\.items\[\d+\]")
TRUE_VALUES = {"yes", "true", "true()", "1"}
FALSE_VALUES = {"", "no", "false", "false()", "0"}


class Sheet:
    """One sheet read as header → cell dicts, each with its spreadsheet row number."""

    def __init__(self, name: str, worksheet: Any, errors: list[str]) -> None:
        self.name = name
        self.rows: list[tuple[int, dict[str, Any]]] = []
        self.columns: list[str] = []
        blank_run = 0
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if number == 1:
                self.columns = [_header(value) for value in values]
                continue
            cells = {
                column: _cell(value)
                for column, value in zip(self.columns, values, strict=False)
                if column and _cell(value) != ""
            }
            if not cells:
                blank_run += 1
                if blank_run >= MAX_BLANK_RUN:
                    break
                continue
            blank_run = 0
            if len(self.rows) >= MAX_ROWS:
                errors.append(
                    _("%(sheet)s: more than %(max)s rows") % {"sheet": name, "max": MAX_ROWS}
                )
                break
            self.rows.append((number, cells))


def _header(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    base, sep, rest = text.partition("::")
    base = base.strip().lower().replace(" ", "_")
    return f"{base}::{rest.strip()}" if sep else base


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class XLSFormReader:
    """Converts one workbook; collects every error with its sheet and row."""

    def __init__(self, data: bytes) -> None:
        self.errors: list[str] = []
        self.data = data
        self.path_labels: dict[str, str] = {}

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def read(self) -> dict[str, Any] | None:
        """The raw instrument, or None when the errors so far make it pointless to go on."""
        try:
            workbook = load_workbook(io.BytesIO(self.data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            self.error(_("(file)"), _("not an .xlsx workbook"))
            return None
        try:
            sheets = {ws.title.strip().lower(): ws for ws in workbook.worksheets}
            if "survey" not in sheets:
                self.error(_("(file)"), _("there is no 'survey' sheet"))
                return None
            survey = Sheet("survey", sheets["survey"], self.errors)
            choices = (
                Sheet("choices", sheets["choices"], self.errors) if "choices" in sheets else None
            )
            form_settings = (
                Sheet("settings", sheets["settings"], self.errors) if "settings" in sheets else None
            )
        finally:
            workbook.close()
        return self._convert(survey, choices, form_settings)

    def _convert(self, survey: Sheet, choices: Sheet | None, form_settings: Sheet | None) -> dict:
        meta = self._settings(form_settings)
        default_language = self._default_language(meta.get("default_language", ""))
        languages = self._languages(survey, choices, default_language)
        lists = self._lists(choices, languages, default_language)
        # A missing form_id is reported once by _settings; the placeholder avoids follow-on noise.
        form_id = meta.get("form_id") or "form"
        raw: dict[str, Any] = {
            "id": form_id,
            "version": _int_or_one(meta.get("version")),
            "title": dict.fromkeys(languages, meta.get("form_title") or form_id),
            "languages": languages,
            "scales": {},
            "sections": [],
            "scoring": {"method": "none"},
        }
        self._survey(survey, raw, lists, languages, default_language)
        if raw["scales"]:
            raw["scoring"] = {"method": "linear", "to_min": 0, "to_max": 100}
        return raw

    def _settings(self, sheet: Sheet | None) -> dict[str, str]:
        if sheet is None or not sheet.rows:
            self.error("settings", _("a settings sheet with form_id is required"))
            return {}
        number, cells = sheet.rows[0]
        self.path_labels["id"] = f"{_row('settings', number)}, form_id"
        self.path_labels["sections"] = "survey"
        self.path_labels["title"] = f"{_row('settings', number)}, form_title"
        self._unsupported_columns(sheet, SETTINGS_COLUMNS)
        if not cells.get("form_id"):
            self.error(_row("settings", number), _("form_id is required"))
        return {key: str(value) for key, value in cells.items()}

    def _default_language(self, given: str) -> str:
        """The settings' default_language: a code ("sv") or, as the XLSForm spec writes it, a
        name with the code ("Svenska (sv)"); Swedish when not given."""
        if not given.strip():
            return settings.LANGUAGE_CODE
        match = LANGUAGE_RE.search(given)
        code = (match.group(1) if match else given).strip().lower()
        known = [code for code, _name in settings.LANGUAGES]
        if code not in known:
            self.error(
                "settings, default_language",
                _("language '%(code)s' is not supported (known: %(known)s)")
                % {"code": code, "known": ", ".join(known)},
            )
            return settings.LANGUAGE_CODE
        return code

    def _unsupported_columns(self, sheet: Sheet, supported: set[str]) -> None:
        """Name every column with content that Tillit cannot represent, at its first row."""
        reported: set[str] = set()
        for number, cells in sheet.rows:
            for column in cells:
                if column.split("::")[0] in supported or column in reported:
                    continue
                reported.add(column)
                self.error(
                    _row(sheet.name, number),
                    _("column '%(column)s' is not supported") % {"column": column},
                )

    def _languages(self, survey: Sheet, choices: Sheet | None, default: str) -> list[str]:
        known = [code for code, _name in settings.LANGUAGES]
        found: list[str] = []
        for sheet in (survey, choices):
            if sheet is None:
                continue
            for column in sheet.columns:
                code = self._column_language(sheet.name, column, default, known)
                if code and code not in found:
                    found.append(code)
        if not found:
            self.error("survey", _("there is no label column"))
        return found

    def _column_language(self, sheet: str, column: str, default: str, known: list[str]) -> str:
        base, sep, rest = column.partition("::")
        if base != "label":
            return ""
        if not sep:
            return default
        match = LANGUAGE_RE.search(rest)
        code = (match.group(1) if match else rest).strip().lower()
        if code not in known:
            self.error(
                _("%(sheet)s column '%(column)s'") % {"sheet": sheet, "column": column},
                _("language '%(code)s' is not supported (known: %(known)s)")
                % {"code": code, "known": ", ".join(known)},
            )
            return ""
        return code

    def _labels(self, cells: dict, languages: list[str], default: str) -> dict[str, str]:
        labels: dict[str, str] = {}
        for column, value in cells.items():
            base, sep, rest = column.partition("::")
            if base != "label":
                continue
            if not sep:
                code = default
            else:
                match = LANGUAGE_RE.search(rest)
                code = (match.group(1) if match else rest).strip().lower()
            if code in languages:
                labels[code] = value
        return labels

    def _lists(self, sheet: Sheet | None, languages: list[str], default: str) -> dict[str, dict]:
        lists: dict[str, dict] = {}
        if sheet is None:
            return lists
        self._unsupported_columns(sheet, CHOICES_COLUMNS)
        for number, cells in sheet.rows:
            name = cells.get("list_name", "")
            if not name:
                self.error(_row("choices", number), _("list_name is empty"))
                continue
            entry = lists.setdefault(name, {"rows": [], "first_row": number})
            entry["rows"].append(
                (number, cells.get("name", ""), self._labels(cells, languages, default))
            )
        return lists

    def _survey(
        self, sheet: Sheet, raw: dict, lists: dict, languages: list[str], default: str
    ) -> None:
        self._unsupported_columns(sheet, SURVEY_COLUMNS)
        section: dict | None = None
        loose: dict | None = None
        for number, cells in sheet.rows:
            where = _row("survey", number)
            kind, _sep, argument = re.sub(r"\s+", " ", cells.get("type", "")).partition(" ")
            kind = kind.lower()
            if argument and kind + " " + argument.split(" ")[0] in TYPE_ALIASES:
                kind = TYPE_ALIASES[kind + " " + argument.split(" ")[0]]
                argument = argument.partition(" ")[2]
            kind = TYPE_ALIASES.get(kind, kind)
            if not kind:
                self.error(where, _("the type is empty"))
                continue
            if kind == "begin_group":
                if section is not None:
                    self.error(where, _("groups inside groups are not supported"))
                    continue
                section = {
                    "id": cells.get("name", ""),
                    "title": self._labels(cells, languages, default),
                    "items": [],
                }
                self.path_labels[f"sections[{len(raw['sections'])}]"] = where
                raw["sections"].append(section)
                self._check_group_cells(where, cells)
                continue
            if kind == "end_group":
                if section is None:
                    self.error(where, _("end_group without a begin_group"))
                section = None
                continue
            item = self._item(where, kind, argument.strip(), cells, raw, lists, languages, default)
            if item is None:
                continue
            target = section
            if target is None:
                if loose is None or raw["sections"][-1] is not loose:
                    loose = {"id": f"part{len(raw['sections']) + 1}", "items": []}
                    raw["sections"].append(loose)
                target = loose
            path = f"sections[{raw['sections'].index(target)}].items[{len(target['items'])}]"
            self.path_labels[path] = f"{where} ({item.get('id') or '?'})"
            for index, number in enumerate(item.pop("_rows", [])):
                self.path_labels[f"{path}.choices[{index}]"] = _row("choices", number)
            target["items"].append(item)
        if section is not None:
            self.error("survey", _("a begin_group has no end_group"))

    def _check_group_cells(self, where: str, cells: dict) -> None:
        for column in ("required", "relevant"):
            if cells.get(column):
                self.error(
                    where,
                    _("'%(column)s' on a group is not supported") % {"column": column},
                )

    def _item(
        self,
        where: str,
        kind: str,
        argument: str,
        cells: dict,
        raw: dict,
        lists: dict,
        languages: list[str],
        default: str,
    ) -> dict | None:
        item: dict[str, Any] = {"id": cells.get("name", "")}
        if kind in SIMPLE_TYPES:
            item["type"] = SIMPLE_TYPES[kind]
            if kind == "decimal":
                item["integer"] = False
        elif kind in ("select_one", "select_multiple"):
            if argument.endswith(" or_other") or argument.endswith(" or other"):
                self.error(where, _("'or_other' is not supported"))
                return None
            if not argument or " " in argument:
                self.error(
                    where, _("type '%(type)s' needs one list name") % {"type": cells["type"]}
                )
                return None
            if argument not in lists:
                self.error(
                    where,
                    _("list '%(list)s' is not on the choices sheet") % {"list": argument},
                )
                return None
            if kind == "select_one" and _is_one_to_five(lists[argument]):
                item["type"] = "scale"
                item["scale"] = argument
                self._add_scale(raw, argument, lists[argument], languages)
            else:
                item["type"] = "single" if kind == "select_one" else "multiple"
                item["choices"] = [
                    {"value": value, "label": labels}
                    for _number, value, labels in lists[argument]["rows"]
                ]
                item["_rows"] = [number for number, _v, _l in lists[argument]["rows"]]
        else:
            self.error(
                where,
                _("type '%(type)s' is not supported") % {"type": cells.get("type", kind)},
            )
            return None
        item["text"] = self._labels(cells, languages, default)
        item["required"] = self._flag(where, cells.get("required", ""))
        appearance = cells.get("appearance", "")
        if appearance.lower() not in DISPLAY_APPEARANCES:
            self.error(where, _("appearance '%(value)s' is not supported") % {"value": appearance})
        if cells.get("relevant"):
            item["show_if"] = self._relevant(where, cells["relevant"])
        return item

    def _add_scale(self, raw: dict, name: str, entry: dict, languages: list[str]) -> None:
        if name in raw["scales"]:
            return
        ordered = sorted(entry["rows"], key=lambda row: int(row[1]))
        raw["scales"][name] = {
            "min": 1,
            "max": 5,
            "labels": {
                language: [labels.get(language, "") for _n, _v, labels in ordered]
                for language in languages
            },
        }
        self.path_labels[f"scales.{name}"] = _("choices list '%(name)s' (row %(row)s)") % {
            "name": name,
            "row": entry["first_row"],
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
            number = float(groups["num"])
            value: Any = int(number) if number.is_integer() else number
        else:
            value = groups["s1"] if groups["s1"] is not None else groups["s2"]
        return {"item": groups["item"].strip(), "op": op, "value": value}


def _is_one_to_five(entry: dict) -> bool:
    return sorted(value for _number, value, _labels in entry["rows"]) == ["1", "2", "3", "4", "5"]


def _int_or_one(value: Any) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number < 2**31 else 1


def _row(sheet: str, number: int) -> str:
    """ "survey row 4" in the reader's language (the sheet keeps its XLSForm name)."""
    return _("%(sheet)s row %(row)s") % {"sheet": sheet, "row": number}


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
