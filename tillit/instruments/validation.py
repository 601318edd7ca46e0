"""Check a raw instrument (parsed YAML, or a converted XLSForm) and build the normalised definition.

Every problem is collected with its path in the file (`sections[2].items[4].scale: unknown scale
'agree7'`), so an author fixes a file in one round instead of one error per attempt.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from tillit.core.datafiles import SLUG_RE, Checker, is_number, join
from tillit.core.datafiles import kind_of as _kind
from tillit.instruments.definition import (
    DEFAULT_TEXT_MAX_LENGTH,
    ITEM_TYPES,
    SCORING_METHODS,
    SHOW_IF_OPS,
)

MAX_TEXT_LIMIT = 10000

ROOT_REQUIRED = ("id", "version", "title", "languages", "sections")
ROOT_OPTIONAL = (
    "description",
    "attribution",
    "translation_note",
    "scales",
    "constructs",
    "scoring",
)
ITEM_REQUIRED = ("id", "type", "text")
ITEM_COMMON = ("required", "sensitive", "show_if", "construct")
ITEM_SPECIFIC = {
    "scale": ("scale",),
    "single": ("choices",),
    "multiple": ("choices",),
    "number": ("min", "max", "integer"),
    "text": ("max_length",),
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def normalise(raw: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """Check a raw instrument; return (definition, []) or (None, every error with its path)."""
    check = Checker()
    root = check.mapping(raw, "", ROOT_REQUIRED, ROOT_OPTIONAL)
    if root is None:
        return None, check.errors
    definition: dict[str, Any] = {}

    _languages(check, root.get("languages"))
    definition["id"] = check.identifier(root.get("id"), "id", SLUG_RE) if "id" in root else None
    version = root.get("version")
    if "version" in root and not (_is_int(version) and version >= 1):
        check.error(
            "version",
            _("expected a whole number of at least 1, got %(value)r") % {"value": version},
        )
    definition["version"] = version
    definition["title"] = check.text(root.get("title"), "title") if "title" in root else {}
    for key in ("description", "attribution", "translation_note"):
        if key in root:
            definition[key] = check.text(root[key], key)
    definition["languages"] = list(check.languages)
    definition["scales"] = _scales(check, root.get("scales", {}))
    items_by_id: dict[str, dict] = {}
    definition["sections"] = _sections(check, root.get("sections"), definition, items_by_id)
    definition["constructs"] = _constructs(check, root.get("constructs", []), items_by_id)
    definition["scoring"] = _scoring(check, root.get("scoring", {"method": "none"}))
    if check.errors:
        return None, check.errors
    return definition, []


def _languages(check: Checker, value: Any) -> None:
    known = [code for code, _name in settings.LANGUAGES]
    if value is None:
        return
    if not isinstance(value, list) or not value:
        check.error("languages", _("expected a non-empty list of language codes"))
        return
    for index, code in enumerate(value):
        path = join("languages", index)
        if code not in known:
            check.error(
                path,
                _("unknown language '%(code)s' (known: %(known)s)")
                % {"code": code, "known": ", ".join(known)},
            )
        elif code in check.languages:
            check.error(path, _("language '%(code)s' is listed twice") % {"code": code})
        else:
            check.languages.append(code)


def _scales(check: Checker, value: Any) -> dict[str, dict]:
    if not isinstance(value, dict):
        check.error("scales", _("expected a mapping of scale ids, got %(kind)s") % _kind(value))
        return {}
    scales: dict[str, dict] = {}
    for scale_id, raw in value.items():
        path = join("scales", str(scale_id))
        if check.identifier(scale_id, path) is None:
            continue
        scale = check.mapping(raw, path, ("min", "max", "labels"), ())
        if scale is None:
            continue
        low, high = scale.get("min"), scale.get("max")
        if "min" in scale and not _is_int(low):
            check.error(
                join(path, "min"), _("expected a whole number, got %(value)r") % {"value": low}
            )
        if "max" in scale and not _is_int(high):
            check.error(
                join(path, "max"), _("expected a whole number, got %(value)r") % {"value": high}
            )
        if not (_is_int(low) and _is_int(high)):
            continue
        if low >= high:
            check.error(
                path,
                _("min (%(min)s) must be less than max (%(max)s)")
                % {
                    "min": low,
                    "max": high,
                },
            )
            continue
        if high - low > 20:
            check.error(path, _("a scale may have at most 21 steps"))
            continue
        labels = _scale_labels(check, scale.get("labels"), join(path, "labels"), high - low + 1)
        scales[scale_id] = {"min": low, "max": high, "labels": labels}
    return scales


def _scale_labels(check: Checker, value: Any, path: str, steps: int) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        check.error(path, _("expected a list of labels per language, got %(kind)s") % _kind(value))
        return {}
    labels: dict[str, list[str]] = {}
    for language in check.languages:
        if language not in value:
            check.error(
                join(path, language), _("missing text in '%(language)s'") % {"language": language}
            )
    for language, texts in value.items():
        lpath = join(path, str(language))
        if language not in check.languages:
            check.error(
                lpath,
                _("language '%(language)s' is not declared in languages") % {"language": language},
            )
            continue
        if (
            not isinstance(texts, list)
            or len(texts) != steps
            or not all(isinstance(t, str) and t.strip() for t in texts)
        ):
            check.error(
                lpath,
                _("expected a list of %(steps)s non-empty labels, one per value")
                % {"steps": steps},
            )
            continue
        labels[language] = [t.strip() for t in texts]
    return labels


def _sections(
    check: Checker, value: Any, definition: dict, items_by_id: dict[str, dict]
) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        check.error("sections", _("expected a non-empty list of sections"))
        return []
    sections: list[dict] = []
    section_paths: dict[str, str] = {}
    item_paths = check.item_paths
    for index, raw in enumerate(value):
        path = join("sections", index)
        section = check.mapping(raw, path, ("id", "items"), ("title",))
        if section is None:
            continue
        section_id = (
            check.identifier(section.get("id"), join(path, "id")) if "id" in section else None
        )
        if section_id in section_paths:
            check.error(
                join(path, "id"),
                _("duplicate section id '%(id)s' (first at %(first)s)")
                % {"id": section_id, "first": section_paths[section_id]},
            )
        elif section_id:
            section_paths[section_id] = path
        # A section's title is optional (an untitled page); {} is how the definition says so.
        title = check.text(section["title"], join(path, "title")) if section.get("title") else {}
        items: list[dict] = []
        raw_items = section.get("items")
        if "items" in section and (not isinstance(raw_items, list) or not raw_items):
            check.error(join(path, "items"), _("expected a non-empty list of items"))
        elif isinstance(raw_items, list):
            for position, raw_item in enumerate(raw_items):
                item_path = join(join(path, "items"), position)
                item = _item(check, raw_item, item_path, definition, items_by_id)
                if item is None:
                    continue
                if item["id"] in item_paths:
                    check.error(
                        join(item_path, "id"),
                        _("duplicate item id '%(id)s' (first at %(first)s)")
                        % {"id": item["id"], "first": item_paths[item["id"]]},
                    )
                    continue
                item_paths[item["id"]] = item_path
                items_by_id[item["id"]] = item
                items.append(item)
        sections.append({"id": section_id, "title": title, "items": items})
    return sections


def _item(
    check: Checker, raw: Any, path: str, definition: dict, earlier: dict[str, dict]
) -> dict | None:
    """One item, or None if it has no usable id (so later checks don't cascade)."""
    kind = raw.get("type") if isinstance(raw, dict) else None
    kind = kind if isinstance(kind, str) or kind is None else repr(kind)
    # Without a known type, type-specific keys can't be judged: don't report them as unknown.
    all_specific = tuple(key for keys in ITEM_SPECIFIC.values() for key in keys)
    specific = ITEM_SPECIFIC.get(kind, all_specific)
    if isinstance(raw, dict) and kind in ITEM_SPECIFIC:
        # A key that belongs to another type gets a clearer message than "unknown key".
        for key in raw:
            owners = [t for t, keys in ITEM_SPECIFIC.items() if key in keys]
            if owners and key not in specific:
                check.error(
                    join(path, key),
                    _("only allowed for items of type %(types)s") % {"types": " or ".join(owners)},
                )
        raw = {k: v for k, v in raw.items() if k in specific or not _is_specific(k)}
    item_raw = check.mapping(raw, path, ITEM_REQUIRED, (*ITEM_COMMON, *specific))
    if item_raw is None:
        return None
    item_id = check.identifier(item_raw.get("id"), join(path, "id")) if "id" in item_raw else None
    if kind is not None and kind not in ITEM_TYPES:
        check.error(
            join(path, "type"),
            _("unknown type '%(type)s' (known: %(known)s)")
            % {"type": kind, "known": ", ".join(ITEM_TYPES)},
        )
    item: dict[str, Any] = {
        "id": item_id,
        "type": kind,
        "text": check.text(item_raw["text"], join(path, "text")) if "text" in item_raw else {},
        "required": check.flag(item_raw, "required", path),
        "sensitive": check.flag(item_raw, "sensitive", path),
    }
    if kind == "text" and item["required"]:
        check.error(join(path, "required"), _("free-text questions are always optional"))
    if kind == "scale" and "scale" in item_raw:
        scale_id = item_raw["scale"]
        if not isinstance(scale_id, str) or scale_id not in definition["scales"]:
            check.error(join(path, "scale"), _("unknown scale '%(scale)s'") % {"scale": scale_id})
        item["scale"] = scale_id
    elif kind in ("single", "multiple") and "choices" in item_raw:
        item["choices"] = _choices(check, item_raw["choices"], join(path, "choices"))
    elif kind == "number":
        _number_bounds(check, item_raw, path, item)
    elif kind == "text":
        limit = item_raw.get("max_length", DEFAULT_TEXT_MAX_LENGTH)
        if not _is_int(limit) or not 1 <= limit <= MAX_TEXT_LIMIT:
            check.error(
                join(path, "max_length"),
                _("expected a whole number from 1 to %(limit)s") % {"limit": MAX_TEXT_LIMIT},
            )
        item["max_length"] = limit
    item["show_if"] = _show_if(check, item_raw.get("show_if"), join(path, "show_if"), earlier)
    if "construct" in item_raw:
        item["construct"] = _hashable(item_raw["construct"])
    return item if item_id else None


def _hashable(value: Any) -> Any:
    """Lists and mappings where a name belongs become their repr, so lookups can't crash."""
    return repr(value) if isinstance(value, list | dict) else value


def _is_specific(key: str) -> bool:
    return any(key in keys for keys in ITEM_SPECIFIC.values())


def _choices(check: Checker, value: Any, path: str) -> list[dict]:
    if not isinstance(value, list) or not value:
        check.error(path, _("expected a non-empty list of choices"))
        return []
    choices: list[dict] = []
    seen: set[str] = set()
    for index, raw in enumerate(value):
        cpath = join(path, index)
        choice = check.mapping(raw, cpath, ("value", "label"), ())
        if choice is None:
            continue
        choice_value = choice.get("value")
        if _is_int(choice_value):
            choice_value = str(choice_value)
        if "value" in choice and (not isinstance(choice_value, str) or not choice_value.strip()):
            check.error(join(cpath, "value"), _("expected a text or a whole number"))
            continue
        if choice_value in seen:
            check.error(
                join(cpath, "value"),
                _("duplicate choice value '%(value)s'") % {"value": choice_value},
            )
        seen.add(choice_value)
        label = check.text(choice["label"], join(cpath, "label")) if "label" in choice else {}
        choices.append({"value": choice_value, "label": label})
    return choices


def _number_bounds(check: Checker, raw: dict, path: str, item: dict) -> None:
    for key in ("min", "max"):
        value = raw.get(key)
        if value is not None and not is_number(value):
            check.error(join(path, key), _("expected a number, got %(value)r") % {"value": value})
            value = None
        item[key] = value
    if item["min"] is not None and item["max"] is not None and item["min"] >= item["max"]:
        check.error(path, _("min (%(min)s) must be less than max (%(max)s)") % item)
    item["integer"] = check.flag(raw, "integer", path, default=True)


def _show_if(check: Checker, value: Any, path: str, earlier: dict[str, dict]) -> dict | None:
    if value is None:
        return None
    raw = check.mapping(value, path, ("item", "op", "value"), ())
    if raw is None or any(key not in raw for key in ("item", "op", "value")):
        return None
    target_id, op, target = (_hashable(raw[key]) for key in ("item", "op", "value"))
    if op not in SHOW_IF_OPS:
        check.error(
            join(path, "op"),
            _("unknown operator '%(op)s' (known: %(known)s)")
            % {"op": op, "known": " ".join(SHOW_IF_OPS)},
        )
    if not (is_number(target) or isinstance(target, str)):
        check.error(join(path, "value"), _("expected a number or a text"))
    target_item = earlier.get(target_id)
    if target_item is None:
        check.error(
            join(path, "item"),
            _("'%(item)s' is not an earlier item (show_if may only refer to one before it)")
            % {"item": target_id},
        )
    elif target_item["type"] in ("multiple", "text") and op not in ("==", "!="):
        check.error(
            join(path, "op"),
            _("only == and != can be used with a %(type)s item") % {"type": target_item["type"]},
        )
    elif target_item["type"] in ("scale", "number") and not is_number(target):
        check.error(
            join(path, "value"),
            _("'%(item)s' is answered with a number, so compare with a number")
            % {"item": target_id},
        )
    elif (
        target_item["type"] == "single"
        and op in ("==", "!=")
        and str(target) not in {c["value"] for c in target_item.get("choices", [])}
    ):
        check.error(
            join(path, "value"),
            _("'%(value)s' is not a choice of '%(item)s'") % {"value": target, "item": target_id},
        )
    return {"item": target_id, "op": op, "value": target}


def _constructs(check: Checker, value: Any, items_by_id: dict[str, dict]) -> list[dict]:
    if not isinstance(value, list):
        check.error("constructs", _("expected a list of constructs, got %(kind)s") % _kind(value))
        return []
    constructs: list[dict] = []
    paths: dict[str, str] = {}
    for index, raw in enumerate(value):
        path = join("constructs", index)
        construct = check.mapping(raw, path, ("id", "title"), ("items",))
        if construct is None:
            continue
        construct_id = (
            check.identifier(construct.get("id"), join(path, "id")) if "id" in construct else None
        )
        if construct_id == "total":
            check.error(join(path, "id"), _("'total' is reserved for the total index"))
        elif construct_id in paths:
            check.error(
                join(path, "id"),
                _("duplicate construct id '%(id)s' (first at %(first)s)")
                % {"id": construct_id, "first": paths[construct_id]},
            )
        elif construct_id:
            paths[construct_id] = path
        title = check.text(construct["title"], join(path, "title")) if "title" in construct else {}
        listed = construct.get("items", [])
        members: list[str] = []
        if not isinstance(listed, list):
            check.error(join(path, "items"), _("expected a list of item ids"))
            listed = []
        for position, item_id in enumerate(listed):
            ipath = join(join(path, "items"), position)
            item = items_by_id.get(item_id) if isinstance(item_id, str) else None
            if item is None:
                check.error(ipath, _("unknown item '%(item)s'") % {"item": item_id})
            elif item["type"] != "scale":
                check.error(
                    ipath,
                    _("'%(item)s' is a %(type)s item; only scale items can be in a construct")
                    % {"item": item_id, "type": item["type"]},
                )
            elif item_id in members:
                check.error(ipath, _("'%(item)s' is listed twice") % {"item": item_id})
            else:
                members.append(item_id)
        # Items may instead name their construct; both ways end up in the construct's list.
        for item in items_by_id.values():
            if item.get("construct") == construct_id and item["id"] not in members:
                members.append(item["id"])
        if construct_id and not members:
            check.error(join(path, "items"), _("the construct has no items"))
        constructs.append({"id": construct_id, "title": title, "items": members})
    for item_id, item in items_by_id.items():
        named = item.get("construct")
        if named is None:
            continue
        if named not in paths:
            check.error(
                join(check.item_paths[item_id], "construct"),
                _("unknown construct '%(construct)s'") % {"construct": named},
            )
        elif item["type"] != "scale":
            check.error(
                join(check.item_paths[item_id], "construct"),
                _("only scale items can be in a construct"),
            )
    return constructs


def _scoring(check: Checker, value: Any) -> dict[str, Any]:
    raw = check.mapping(value, "scoring", ("method",), ("to_min", "to_max"))
    if raw is None:
        return {"method": "none"}
    method = _hashable(raw.get("method"))
    if "method" in raw and method not in SCORING_METHODS:
        check.error(
            "scoring.method",
            _("unknown method '%(method)s' (known: %(known)s)")
            % {"method": method, "known": ", ".join(SCORING_METHODS)},
        )
    if method != "linear":
        for key in ("to_min", "to_max"):
            if key in raw:
                check.error(f"scoring.{key}", _("only allowed with method linear"))
        return {"method": method}
    to_min, to_max = raw.get("to_min", 0), raw.get("to_max", 100)
    if not (is_number(to_min) and is_number(to_max)) or to_min >= to_max:
        check.error("scoring", _("to_min and to_max must be numbers with to_min < to_max"))
    return {"method": "linear", "to_min": to_min, "to_max": to_max}
