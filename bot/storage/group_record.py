"""A chat's answer record per question: every answer given in the chat to a group quiz round or
a daily question, counted together.

Nothing is stored for this: the counts are read from the answers themselves, so a member's
``/forget`` takes their answers out of the group's record too. Topics are the content's business
(a question may move to another topic), so the caller sums questions into topics
(``bot.core.group_focus.tally_topics``).
"""

from __future__ import annotations

import aiosqlite

__all__ = ["question_tallies"]


async def question_tallies(conn: aiosqlite.Connection, chat_id: int) -> dict[str, tuple[int, int]]:
    """Question id -> (answers, right answers) given in the chat.

    Both halves start from a table keyed by chat (group_sessions by its chat index, daily_sent
    by its primary key), so the cost follows the chat's own history, not the whole database.
    """
    rows = await conn.execute_fetchall(
        """
        SELECT question_id, COUNT(*), SUM(correct) FROM (
            SELECT r.question_id AS question_id, a.correct AS correct
            FROM group_sessions AS s
            JOIN group_rounds AS r ON r.session_id = s.id
            JOIN group_answers AS a ON a.round_id = r.id
            WHERE s.chat_id = ?
            UNION ALL
            SELECT a.question_id, a.correct
            FROM daily_sent AS d
            JOIN answers AS a ON a.delivery_id = d.delivery_id
            WHERE d.chat_id = ?
        )
        GROUP BY question_id
        """,
        (chat_id, chat_id),
    )
    return {str(row[0]): (int(row[1]), int(row[2] or 0)) for row in rows}
