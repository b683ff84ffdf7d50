"""The README's picture script still runs against the current code and content."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "render_conversation.py"


def _load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("render_conversation", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is being built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_conversation_picture_is_drawn_from_the_real_replies(tmp_path: Path) -> None:
    """The script renders the matcher's answer, a quiz question and its verdict into a PNG."""
    from bot.core.content import load_content
    from bot.core.matcher import Matcher

    script = _load_script()
    messages = asyncio.run(script.conversation())
    answer = Matcher(load_content()).match(script.QUESTION).reply
    assert script.plain(answer) in messages[1].text
    assert any(message.text.startswith("Quiz · easy") for message in messages)
    assert "Right!" in messages[-1].text
    picture = tmp_path / "conversation.png"
    script.draw(messages).save(picture)
    with Image.open(picture) as image:
        assert image.width == script.WIDTH and image.height > 1000
    assert (ROOT / "docs" / "conversation.png").is_file(), "the README shows the committed PNG"
