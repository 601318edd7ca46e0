"""Check a raw programme template (parsed YAML) and build its normalised definition.

Every problem is collected with its path (`steps[3].tools[1].type: unknown tool 'cardz'`), so an
author fixes a file in one round. Every text must be given in all four languages (sv, da, nb, en).

The normalised definition::

    {"id": slug, "version": int, "title": {lang}, "description": {lang}, "guide": {lang},
     "roles": [{"id", "title": {lang}, "description": {lang}}],
     "steps": [{"id", "title", "purpose", "content", "how_to": {lang},
                "tools": [{"type", "title": {lang} | {}, "guide": {lang} | {}, "config": {...}}],
                "produces": [artefact kind], "checklist": [{lang}]}]}
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from tillit.core.datafiles import SLUG_RE, Checker, join
from tillit.programmes.catalogue import (
    ARTEFACT_KINDS,
    CARDS,
    DILEMMAS,
    INTEGER,
    KIND,
    SLUG,
    TEXTS,
    TOOL_TYPES,
)

ROOT_REQUIRED = ("id", "version", "title", "description", "guide", "steps")
ROOT_OPTIONAL = ("roles",)
STEP_REQUIRED = ("id", "title", "purpose", "content", "how_to")
STEP_OPTIONAL = ("tools", "produces", "checklist")


def normalise(raw: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """Check a raw template; return (definition, []) or (None, every error with its path)."""
    check = Checker()
    check.languages = [code for code, _name in settings.LANGUAGES]
    root = check.mapping(raw, "", ROOT_REQUIRED, ROOT_OPTIONAL)
    if root is None:
        return None, check.errors
    definition: dict[str, Any] = {
        "id": check.identifier(root["id"], "id", SLUG_RE) if "id" in root else None
    }
    version = root.get("version")
    if "version" in root and (not isinstance(version, int) or isinstance(version, bool)):
        check.error("version", _("expected a whole number, got %(value)r") % {"value": version})
    definition["version"] = version
    for key in ("title", "description", "guide"):
        definition[key] = check.text(root[key], key) if key in root else {}
    definition["roles"] = _roles(check, root.get("roles", []))
    definition["steps"] = _steps(check, root.get("steps"))
    if check.errors:
        return None, check.errors
    return definition, []


def _list(check: Checker, value: Any, path: str, *, empty_ok: bool = True) -> list:
    if not isinstance(value, list) or (not value and not empty_ok):
        check.error(path, _("expected a non-empty list") if not empty_ok else _("expected a list"))
        return []
    return value


def _roles(check: Checker, value: Any) -> list[dict]:
    roles, seen = [], set()
    for index, raw in enumerate(_list(check, value, "roles")):
        path = join("roles", index)
        role = check.mapping(raw, path, ("id", "title"), ("description",))
        if role is None:
            continue
        role_id = check.identifier(role.get("id"), join(path, "id")) if "id" in role else None
        if role_id in seen:
            check.error(join(path, "id"), _("duplicate role id '%(id)s'") % {"id": role_id})
        seen.add(role_id)
        roles.append(
            {
                "id": role_id,
                "title": check.text(role["title"], join(path, "title")) if "title" in role else {},
                "description": check.text(role["description"], join(path, "description"))
                if "description" in role
                else {},
            }
        )
    return roles


def _steps(check: Checker, value: Any) -> list[dict]:
    if value is None:
        return []
    steps: list[dict] = []
    first: dict[str, str] = {}
    for index, raw in enumerate(_list(check, value, "steps", empty_ok=False)):
        path = join("steps", index)
        step = check.mapping(raw, path, STEP_REQUIRED, STEP_OPTIONAL)
        if step is None:
            continue
        step_id = check.identifier(step.get("id"), join(path, "id")) if "id" in step else None
        if step_id in first:
            check.error(
                join(path, "id"),
                _("duplicate step id '%(id)s' (first at %(first)s)")
                % {"id": step_id, "first": first[step_id]},
            )
        elif step_id:
            first[step_id] = path
        normal: dict[str, Any] = {"id": step_id}
        for key in ("title", "purpose", "content", "how_to"):
            normal[key] = check.text(step[key], join(path, key)) if key in step else {}
        tools_path = join(path, "tools")
        normal["tools"] = [
            _tool(check, tool, join(tools_path, i))
            for i, tool in enumerate(_list(check, step.get("tools", []), tools_path))
        ]
        produces_path = join(path, "produces")
        normal["produces"] = []
        for i, kind in enumerate(_list(check, step.get("produces", []), produces_path)):
            if _kind(check, kind, join(produces_path, i)):
                normal["produces"].append(kind)
        checklist_path = join(path, "checklist")
        normal["checklist"] = [
            check.text(item, join(checklist_path, i))
            for i, item in enumerate(_list(check, step.get("checklist", []), checklist_path))
        ]
        steps.append(normal)
    return steps


def _kind(check: Checker, value: Any, path: str) -> bool:
    if value not in ARTEFACT_KINDS:
        check.error(
            path,
            _("unknown artefact kind '%(kind)s' (known: %(known)s)")
            % {"kind": value, "known": ", ".join(ARTEFACT_KINDS)},
        )
        return False
    return True


def _tool(check: Checker, raw: Any, path: str) -> dict:
    tool = check.mapping(raw, path, ("type",), ("title", "guide", "config"))
    if tool is None:
        return {}
    tool_type = tool.get("type")
    normal: dict[str, Any] = {"type": tool_type, "config": {}}
    for key in ("title", "guide"):
        normal[key] = check.text(tool[key], join(path, key)) if key in tool else {}
    spec = TOOL_TYPES.get(tool_type) if isinstance(tool_type, str) else None
    if "type" in tool and spec is None:
        check.error(
            join(path, "type"),
            _("unknown tool '%(type)s' (known: %(known)s)")
            % {"type": tool_type, "known": ", ".join(TOOL_TYPES)},
        )
        return normal
    config = tool.get("config", {})
    if spec is None:
        return normal
    config_path = join(path, "config")
    config = check.mapping(config, config_path, (), tuple(spec.config))
    for key, value in (config or {}).items():
        shape = spec.config.get(key)
        if shape is not None:
            normal["config"][key] = _config_value(check, shape, value, join(config_path, key))
    return normal


def _config_value(check: Checker, shape: str, value: Any, path: str) -> Any:
    if shape == TEXTS:
        return [check.text(v, join(path, i)) for i, v in enumerate(_list(check, value, path))]
    if shape in (CARDS, DILEMMAS):
        keys = ("text",) if shape == CARDS else ("left", "right")
        if (
            shape == CARDS
            and isinstance(value, list)
            and any("term" in v for v in value if isinstance(v, dict))
        ):
            keys = ("term", "text")
        result = []
        for i, raw in enumerate(_list(check, value, path)):
            item = check.mapping(raw, join(path, i), keys, ())
            if item is not None:
                result.append(
                    {k: check.text(item[k], join(join(path, i), k)) for k in keys if k in item}
                )
        return result
    if shape == INTEGER:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            check.error(
                path, _("expected a whole number of at least 1, got %(value)r") % {"value": value}
            )
        return value
    if shape == KIND:
        _kind(check, value, path)
        return value
    if shape == SLUG:
        return check.identifier(value, path, SLUG_RE)
    raise ValueError(shape)
