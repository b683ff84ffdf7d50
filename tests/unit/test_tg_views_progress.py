"""The /progress caption and buttons, and the quiz header naming its topic (pure views)."""

from __future__ import annotations

from bot.core.mastery import Level, TopicMastery
from bot.services import AreaProgress, Delivery, Progress, TopicProgress
from bot.tg import callbacks
from bot.tg.views import progress as view
from bot.tg.views import quiz
from tests.support.storage import question


def _topic(topic_id: str, title: str, level: Level, items: int = 3) -> TopicProgress:
    return TopicProgress(
        topic_id, title, "Area", TopicMastery(topic_id, level, items, 0, 0, 0, None, 0.0)
    )


def _progress(*topics: TopicProgress) -> Progress:
    return Progress(
        1, (AreaProgress("Area", topics),), tuple(t for t in topics if t.mastery.practicable)
    )


def test_the_caption_names_the_two_weakest_and_each_gets_a_practise_button() -> None:
    progress = _progress(
        _topic("drift", "Drift <&>", Level.LEARNING),
        _topic("ci", "CI", Level.NOT_STARTED),
        _topic("cd", "CD", Level.SOLID),
    )
    caption = view.progress_caption(progress)
    assert caption.count("\n") == 0
    assert "<b>Drift &lt;&amp;&gt;</b> (learning) and <b>CI</b> (not started)" in caption
    markup = view.practise_keyboard(progress)
    assert markup is not None
    buttons = [row[0] for row in markup.inline_keyboard]
    assert [b.text for b in buttons] == ["🎯 Practise: Drift <&>", "🎯 Practise: CI"]
    assert [b.callback_data for b in buttons] == [
        callbacks.practice_data("drift"),
        callbacks.practice_data("ci"),
    ]


def test_a_new_learner_is_told_where_to_start_and_a_pack_without_quiz_has_no_buttons() -> None:
    fresh = _progress(_topic("a", "A", Level.NOT_STARTED), _topic("b", "B", Level.NOT_STARTED))
    assert view.progress_caption(fresh).startswith("📈 Nothing practised yet")
    empty = _progress(_topic("a", "A", Level.NOT_STARTED, items=0))
    assert view.practise_keyboard(empty) is None
    assert "no quiz questions" in view.progress_caption(empty)
    done = _progress(_topic("a", "A", Level.MASTERED), _topic("b", "B", Level.MASTERED))
    assert view.progress_caption(done).startswith("📈 Every topic is mastered")


def test_a_quiz_question_names_its_topic() -> None:
    q = question("q-1", "medium")
    delivery = Delivery(9, "quiz", 1, 1, q, ("a", "b", "c", "d"), None, "Drift & <co>")
    header = quiz.question_html(delivery).split("\n\n")[0]
    assert header == "🧠 <b>Quiz</b> · <i>medium</i>\n🏷 Drift &amp; &lt;co&gt;"
    untitled = Delivery(9, "quiz", 1, 1, q, ("a", "b", "c", "d"), None)
    assert "🏷" not in quiz.question_html(untitled)


def test_words_that_name_no_topic_are_escaped_and_clipped() -> None:
    text = view.no_topic_text("<b>" + "x" * 500)
    assert "&lt;b&gt;" in text and "x" * 100 not in text
    assert "/progress" in text and "/quiz easy" in text
