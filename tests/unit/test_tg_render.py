"""HTML rendering: escaping, and cutting to Telegram's limits counted in UTF-16 units."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bot.tg.render import MESSAGE_LIMIT, esc, fit, page, titled, units


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


def parsed(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def test_escape_keeps_markup_as_text() -> None:
    """User or content text with tags or entities is shown literally, never interpreted."""
    raw = '<b>bold</b> & <script>alert("x")</script> &amp;'
    html = esc(raw)
    assert parsed(html).tags == []
    assert parsed(html).text == raw


def test_units_count_utf16() -> None:
    """Emoji outside the BMP count as two units, like Telegram counts them."""
    assert units("abc") == 3
    assert units("😀") == 2


@pytest.mark.parametrize("raw", ["a" * 100_000, "<" * 5000, "😀" * 3000, "&" * 900 + "x"])
def test_fit_stays_within_the_limit(raw: str) -> None:
    """However long or escape-heavy the text, the escaped result fits and ends with an ellipsis."""
    html = fit(raw, MESSAGE_LIMIT)
    assert units(html) <= MESSAGE_LIMIT
    assert html.endswith("…")
    assert raw.startswith(parsed(html).text.removesuffix("…"))


def test_fit_never_cuts_an_entity_in_half() -> None:
    """The cut falls between escaped characters, so no broken `&am` is left behind."""
    html = fit("&" * 10, 12)
    assert html == "&amp;&amp;…"


def test_short_text_is_only_escaped() -> None:
    """Text under the limit comes back escaped and whole."""
    assert fit("a < b", 100) == "a &lt; b"


def test_titled_and_page_put_the_heading_in_bold() -> None:
    """A page's first line becomes a bold heading; the whole message stays under the limit."""
    assert titled("Q <1>", "A & B") == "<b>Q &lt;1&gt;</b>\n\nA &amp; B"
    assert page("Heading\nbody line") == "<b>Heading</b>\n\nbody line"
    assert page("just one line") == "just one line"
    assert units(titled("t" * 500, "b" * 10_000)) <= MESSAGE_LIMIT
