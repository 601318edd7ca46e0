"""Versioned data files (instruments, programme templates): strict YAML reading, path-aware
checking and the content checksum that decides whether a file is a new version.

Every problem is collected with its path in the file (`sections[2].items[4].scale: unknown scale
'agree7'`), so an author fixes a file in one round instead of one error per attempt.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

import yaml
from django.utils.translation import gettext as _

# Deeper nesting is refused before anything walks the data: the checks and the checksum
# recurse, and a file of a few thousand "[" would end in an uncaught RecursionError.
MAX_DEPTH = 40
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,59}$")


class DataFileError(Exception):
    """A file that cannot be used; `errors` lists every problem with its place in the file."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


# libyaml's parser when PyYAML was built with it (the wheels are): the shipped instruments and
# templates are read at every install and demo build, and the pure-Python parser took seconds.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_SafeLoader):
    """SafeLoader that records duplicate keys instead of silently keeping the last one."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int) and key in seen:
                mark = key_node.start_mark
                self.duplicates.append(
                    _("line %(line)s, column %(column)s: key '%(key)s' appears twice in a mapping")
                    % {"line": mark.line + 1, "column": mark.column + 1, "key": key}
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(content: str | bytes) -> tuple[Any, list[str]]:
    """Parse a YAML data file: (data, duplicate-key errors), or DataFileError if unreadable."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataFileError(
                [_("the file is not UTF-8 text (byte %(position)s)") % {"position": exc.start}]
            ) from None
    try:
        # Depth from the event stream first, which needs no recursion: libyaml's composer
        # recurses in C, where a few thousand "[" would overflow the stack, not raise.
        depth = 0
        for event in yaml.parse(content, Loader=_SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise DataFileError([_too_deep()])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise DataFileError([_not_yaml(exc)]) from None
    loader = StrictLoader(content)
    try:
        data = loader.get_single_data()
    except RecursionError:
        raise DataFileError([_too_deep()]) from None
    except yaml.YAMLError as exc:
        raise DataFileError([_not_yaml(exc)]) from None
    finally:
        loader.dispose()
    if _depth(data) > MAX_DEPTH:
        raise DataFileError([_too_deep()])
    return data, loader.duplicates


def _not_yaml(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = (
        _("line %(line)s, column %(column)s") % {"line": mark.line + 1, "column": mark.column + 1}
        if mark
        else _("(file)")
    )
    problem = getattr(exc, "problem", None) or str(exc)
    return _("%(where)s: not valid YAML (%(problem)s)") % {"where": where, "problem": problem}


def _too_deep() -> str:
    return _(
        "(file): lists and mappings are nested more than %(depth)s levels deep; no instrument "
        "or template needs that many"
    ) % {"depth": MAX_DEPTH}


def _depth(data: Any) -> int:
    """How deeply lists and mappings nest in `data`, without recursion.

    YAML anchors let one list appear in many places, or inside itself: each list is measured
    once (memo by identity), and one that contains itself counts as too deep.
    """
    memo: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, finished = stack.pop()
        if not isinstance(node, dict | list):
            continue
        key = id(node)
        values = node.values() if isinstance(node, dict) else node
        children = [c for c in values if isinstance(c, dict | list)]
        if finished:
            memo[key] = 1 + max((memo[id(c)] for c in children), default=0)
            in_progress.discard(key)
            if memo[key] > MAX_DEPTH:
                return memo[key]
            continue
        if key in memo:
            continue
        if key in in_progress:  # its own descendant: endlessly deep
            return MAX_DEPTH + 1
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in memo)
    return memo.get(id(data), 0)


def checksum(definition: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the definition, without its `version` number.

    The version number is left out because install assigns it: the same content must give the
    same checksum whatever number it was installed under.
    """
    content = {key: value for key, value in definition.items() if key != "version"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def kind_of(value: Any) -> dict[str, str]:
    names = {dict: _("a mapping"), list: _("a list"), str: _("a text"), bool: _("true/false")}
    name = names.get(type(value))
    if name is None:
        name = (
            _("a number") if is_number(value) else _("nothing") if value is None else _("a value")
        )
    return {"kind": name}


class Checker:
    """Collects errors, each with its path, while walking one raw data file."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.languages: list[str] = []
        self.item_paths: dict[str, str] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path or _('(file)')}: {message}")

    def mapping(
        self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict | None:
        """`value` as a dict, with missing required and unknown keys reported; None if no dict."""
        if not isinstance(value, dict):
            self.error(path, _("expected a mapping (key: value), got %(kind)s") % kind_of(value))
            return None
        for key in required:
            if key not in value:
                self.error(join(path, key), _("missing required key"))
        for key in value:
            if key not in required and key not in optional:
                allowed = ", ".join((*required, *optional))
                self.error(
                    join(path, str(key)),
                    _("unknown key (allowed here: %(allowed)s)") % {"allowed": allowed},
                )
        return value

    def text(self, value: Any, path: str) -> dict[str, str]:
        """A text per language: every declared language present, no undeclared ones."""
        if not isinstance(value, dict):
            self.error(
                path,
                _("expected a text per language (sv: …, en: …), got %(kind)s") % kind_of(value),
            )
            return {}
        result: dict[str, str] = {}
        for language, text in value.items():
            if language not in self.languages:
                self.error(
                    join(path, str(language)),
                    _("language '%(language)s' is not declared in languages")
                    % {"language": language},
                )
            elif not isinstance(text, str) or not text.strip():
                self.error(join(path, language), _("expected a non-empty text"))
            else:
                result[language] = text.strip()
        for language in self.languages:
            if language not in value:
                self.error(
                    join(path, language),
                    _("missing text in '%(language)s'") % {"language": language},
                )
        return result

    def flag(self, raw: dict, key: str, path: str, default: bool = False) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            self.error(
                join(path, key), _("expected true or false, got %(value)r") % {"value": value}
            )
            return default
        return value

    def identifier(self, value: Any, path: str, pattern: re.Pattern = ID_RE) -> str | None:
        if not isinstance(value, str) or not pattern.match(value):
            self.error(
                path,
                _(
                    "'%(value)s' is not a valid id (a letter, then letters, digits, _ or -; "
                    "at most 60)"
                )
                % {"value": value},
            )
            return None
        return value
