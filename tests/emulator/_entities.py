"""Message entities the way the Bot API computes them.

Two jobs: parse the HTML subset that ``parse_mode=HTML`` accepts (failing where Telegram fails,
so escaping bugs surface in tests rather than in production) and detect the entities Telegram
attaches to incoming user text (``/command``, ``/command@Bot``, ``@mention``, URLs).

Offsets and lengths are in UTF-16 code units, as in the Bot API; an emoji counts twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Entity", "HtmlParseError", "detect_entities", "parse_html", "utf16_len"]


class HtmlParseError(ValueError):
    """The text is not valid Bot API HTML; the message mirrors Telegram's wording."""


@dataclass(frozen=True, slots=True)
class Entity:
    """One message entity, in the Bot API's JSON field names."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"type": self.type, "offset": self.offset, "length": self.length}
        if self.url is not None:
            data["url"] = self.url
        if self.language is not None:
            data["language"] = self.language
        if self.custom_emoji_id is not None:
            data["custom_emoji_id"] = self.custom_emoji_id
        return data


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of Bot API offsets and limits)."""
    return len(text.encode("utf-16-le")) // 2


_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
ALLOWED_TAGS = frozenset(_TAG_ENTITY)

_TAG_NAME = re.compile(r"[a-zA-Z0-9-]*")
_END_TAG = re.compile(r"</([a-zA-Z0-9-]*)\s*>")
_ATTRIBUTE = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?"""
)
_CHAR_REF = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_SPECIAL = re.compile(r"[<&]")


def _decode_refs(text: str) -> str:
    return _CHAR_REF.sub(_decode_ref, text)


def _decode_ref(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED_REFS[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    # Telegram keeps a reference to an impossible code point as literal text.
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)
    return chr(code)


@dataclass(slots=True)
class _Open:
    name: str
    start: int
    attrs: dict[str, str]
    byte_offset: int


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Turn Bot API HTML into plain text plus entities, or raise :class:`HtmlParseError`.

    Like Telegram: only the documented tags are allowed, every tag must be closed in the right
    order, a bare ``<`` is an error, an unknown ``&...;`` sequence stays literal text.
    """
    out: list[str] = []
    position = 0  # in UTF-16 units of the plain text produced so far
    stack: list[_Open] = []
    entities: list[Entity] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "&":
            ref = _CHAR_REF.match(text, index)
            chunk = _decode_ref(ref) if ref else "&"
            index = ref.end() if ref else index + 1
            out.append(chunk)
            position += utf16_len(chunk)
            continue
        if char != "<":
            special = _SPECIAL.search(text, index)
            stop = special.start() if special else length
            chunk = text[index:stop]
            out.append(chunk)
            position += utf16_len(chunk)
            index = stop
            continue
        byte_offset = _byte_offset(text, index)
        if text.startswith("</", index):
            end = _END_TAG.match(text, index)
            if end is None:
                raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset}")
            name = end.group(1).lower()
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset}")
            opened = stack.pop()
            if name != opened.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {byte_offset}, "
                    f'expected "</{opened.name}>", found "</{name}>"'
                )
            _close(opened, position, stack, entities)
            index = end.end()
            continue
        name_match = _TAG_NAME.match(text, index + 1)
        assert name_match is not None  # the pattern also matches the empty string
        name = name_match.group(0).lower()
        if name not in ALLOWED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
        attrs, index = _read_attributes(text, name_match.end(), name, byte_offset)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise HtmlParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {byte_offset}'
            )
        stack.append(_Open(name, position, attrs, byte_offset))
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda entity: (entity.offset, -entity.length))
    return "".join(out), entities


def _read_attributes(
    text: str, index: int, name: str, byte_offset: int
) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    length = len(text)
    while True:
        while index < length and text[index].isspace():
            index += 1
        if index >= length:
            raise HtmlParseError(f'Unclosed start tag "{name}" at byte offset {byte_offset}')
        if text[index] == ">":
            return attrs, index + 1
        attribute = _ATTRIBUTE.match(text, index)
        if attribute is None:
            raise HtmlParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                f"at byte offset {byte_offset}"
            )
        key, double, single, bare = attribute.groups()
        value = next((v for v in (double, single, bare) if v is not None), "")
        attrs[key.lower()] = _decode_refs(value)
        index = attribute.end()


def _close(opened: _Open, position: int, stack: list[_Open], entities: list[Entity]) -> None:
    entity_type = _TAG_ENTITY[opened.name]
    if opened.name == "code" and stack and stack[-1].name == "pre":
        language = opened.attrs.get("class", "")
        if language.startswith("language-"):
            # <pre><code class="language-x"> is one pre entity carrying the language.
            stack[-1].attrs["_language"] = language.removeprefix("language-")
            return
    length = position - opened.start
    if length <= 0:
        return
    if entity_type == "text_link":
        href = opened.attrs.get("href", "")
        if not href:
            return
        entities.append(Entity("text_link", opened.start, length, url=href))
    elif entity_type == "pre":
        entities.append(
            Entity("pre", opened.start, length, language=opened.attrs.get("_language"))
        )
    elif entity_type == "blockquote" and "expandable" in opened.attrs:
        entities.append(Entity("expandable_blockquote", opened.start, length))
    elif entity_type == "custom_emoji":
        entities.append(
            Entity("custom_emoji", opened.start, length, custom_emoji_id=opened.attrs["emoji-id"])
        )
    else:
        entities.append(Entity(entity_type, opened.start, length))


_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_MENTION = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}(?![A-Za-z0-9_])")
_URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def detect_entities(text: str) -> list[Entity]:
    """The entities Telegram adds to a user's text: commands, mentions and URLs."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in ((_COMMAND, "bot_command"), (_URL, "url"), (_MENTION, "mention")):
        for match in pattern.finditer(text):
            start, end = match.span()
            # The "@Bot" inside "/cmd@Bot" or an "@" inside a URL is not a separate mention.
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            found.append((start, end, kind))
    found.sort()
    return [
        Entity(kind, utf16_len(text[:start]), utf16_len(text[start:end]))
        for start, end, kind in found
    ]
