"""YAML read into plain data with the line of every value, so errors can point at `file:line`.

A file is composed into a node tree first (safe loader only) and walked by hand: that records where
each mapping key, list item and scalar sits, refuses duplicate keys (plain YAML keeps the last one
silently) and refuses every tag that is not plain data.

The tree comes from libyaml when PyYAML was built with it (about twenty times faster: the pack
loads at every start, and in most tests), but the pure-Python reader has the last word: it words
and places every syntax error, and it reads every file where libyaml may read otherwise (a tab,
a stray byte order mark, an unquoted '?' inside [...] or {...}, a null, a tag that is not plain
data), so a file is accepted or refused, and its problems worded and placed, the same way with
or without libyaml (a differential fuzz of the pack's files found no other difference).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ContentError, ContentProblem

__all__ = ["YamlPath", "line_for", "read_yaml"]

# Where a value sits in a file's data: mapping keys and list indexes from the top.
YamlPath = tuple[str | int, ...]


# The tags plain YAML data resolves to. Anything else (``!!python/object/apply:...``, custom
# ``!tags``) is refused: the walk below builds mappings and lists itself, so it would otherwise
# drop such a tag silently instead of saying the file is not plain content.
_YAML_CORE = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(
    _YAML_CORE + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


_WITH_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
# What libyaml accepts and PyYAML refuses: a tab, a byte order mark past the start, a block
# scalar header with more than chomping/indentation indicators before a comment (">#").
_LIBYAML_LENIENT = re.compile(r"\t|.\ufeff|[|>]\S*#", re.DOTALL)


def _compose(text: str) -> yaml.Node | None:
    """The file's node tree, as the pure-Python safe loader composes it."""
    if _WITH_LIBYAML and not _LIBYAML_LENIENT.search(text):
        try:
            node: yaml.Node | None = yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass  # the pure-Python reader below words and places the error
        else:
            if node is None or not _libyaml_may_differ(node, in_flow=False):
                return node
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _libyaml_may_differ(node: yaml.Node, *, in_flow: bool) -> bool:
    """Whether the tree holds what libyaml reads otherwise than PyYAML: an unquoted '?' inside
    a flow collection (PyYAML ends the scalar there and refuses the file), a null (libyaml may
    place an empty value on the next line), or any tag that is not plain data (the file is
    refused either way, but libyaml may cut the tag's name short in the message)."""
    if node.tag not in _PLAIN_TAGS or node.tag == _YAML_CORE + "null":
        return True
    if isinstance(node, yaml.ScalarNode):
        return in_flow and not node.style and "?" in node.value
    inner = in_flow or bool(getattr(node, "flow_style", False))
    children: list[yaml.Node] = (
        [part for pair in node.value for part in pair]
        if isinstance(node, yaml.MappingNode)
        else list(node.value)
    )
    return any(_libyaml_may_differ(child, in_flow=inner) for child in children)


def _walk(node: yaml.Node, path: YamlPath, lines: dict[YamlPath, int]) -> Any:
    """Turn a composed YAML node into plain data, recording each value's 1-based line."""
    lines[path] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        raise _UnsafeTag(node.tag.replace(_YAML_CORE, "!!"), node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = (
                yaml.safe_load(yaml.serialize(key_node))
                if not isinstance(key_node, yaml.ScalarNode)
                else key_node.value
            )
            if key in result:
                raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
            result[key] = _walk(value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(child, (*path, i), lines) for i, child in enumerate(node.value)]
    # Scalars: let the safe constructor decide ints, bools and nulls the YAML 1.1 way.
    return (
        yaml.SafeLoader(yaml.serialize(node)).get_single_data()
        if node.tag != ("tag:yaml.org,2002:str")
        else node.value
    )


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int) -> None:
        self.key, self.line = key, line


class _UnsafeTag(Exception):
    def __init__(self, tag: str, line: int) -> None:
        self.tag, self.line = tag, line


def read_yaml(path: Path, shown: str) -> tuple[Any, dict[YamlPath, int]]:
    """Parse one file; raise ContentError with a located problem on any syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError([ContentProblem(shown, 1, f"not valid UTF-8 ({exc.reason})")]) from exc
    except OSError as exc:
        raise ContentError(
            [ContentProblem(shown, 1, f"cannot read file ({exc.strerror})")]
        ) from exc
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ContentError(
            [ContentProblem(shown, line, f"YAML syntax error: {exc.problem or exc.context}")]
        ) from exc
    except yaml.YAMLError as exc:
        raise ContentError([ContentProblem(shown, 1, f"YAML error: {exc}")]) from exc
    if node is None:
        raise ContentError([ContentProblem(shown, 1, "file is empty")])
    lines: dict[YamlPath, int] = {}
    try:
        return _walk(node, (), lines), lines
    except _DuplicateKey as dup:
        raise ContentError(
            [ContentProblem(shown, dup.line, f"duplicate key '{dup.key}'")]
        ) from None
    except _UnsafeTag as unsafe:
        message = f"YAML tag {unsafe.tag} is not allowed: content is plain text, lists and maps"
        raise ContentError([ContentProblem(shown, unsafe.line, message)]) from None
    except yaml.YAMLError as exc:
        # A plain-tagged scalar the safe constructor still refuses (e.g. an impossible date).
        raise ContentError([ContentProblem(shown, 1, f"YAML error: {exc}")]) from exc


def line_for(lines: dict[YamlPath, int], loc: YamlPath) -> int:
    """The line of the deepest existing prefix of `loc` (a missing key reports its parent)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1
