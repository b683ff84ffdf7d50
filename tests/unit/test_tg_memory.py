"""What the running bot remembers, per feature, and what /forget drops from it."""

from __future__ import annotations

from bot.tg.memory import AdminMemory, AskMemory, ForgetMemory, GroupScreens, QuizMemory

ALICE, BOB, GROUP = 101, 202, -1001


def test_each_feature_forgets_only_the_person_named() -> None:
    """Keys about Alice (her private chat, her admin checks, her /forget prompts) go; Bob's and
    the group's stay."""
    quiz = QuizMemory()
    for chat in (ALICE, BOB, GROUP):
        quiz.used_next.put((chat, 1), True)
        quiz.verdicts_shown.put((chat, 2), True)
    admins = AdminMemory()
    admins.checked.put((GROUP, ALICE), (True, 0.0))
    admins.checked.put((GROUP, BOB), (False, 0.0))
    prompts = ForgetMemory()
    prompts.prompts.put((ALICE, 5), (ALICE, 0.0))
    prompts.prompts.put((BOB, 6), (BOB, 0.0))
    asked = AskMemory()
    asked.last_questions.put(ALICE, "what is devops")
    asked.last_questions.put(BOB, "what is drift")

    for memory in (quiz, admins, prompts, asked):
        memory.forget_user(ALICE)

    assert asked.last_questions.get(ALICE) is None
    assert asked.last_questions.get(BOB) == "what is drift"

    assert quiz.used_next.get((ALICE, 1)) is None and quiz.verdicts_shown.get((ALICE, 2)) is None
    assert quiz.used_next.get((BOB, 1)) and quiz.used_next.get((GROUP, 1))
    assert admins.checked.get((GROUP, ALICE)) is None
    assert admins.checked.get((GROUP, BOB)) == (False, 0.0)
    assert prompts.prompts.get((ALICE, 5)) is None and prompts.prompts.get((BOB, 6))


def test_a_group_screen_is_per_chat_and_dropped_when_the_chat_moves() -> None:
    screens = GroupScreens()
    screen = screens.of(GROUP)
    screen.latest = 3
    assert screens.of(GROUP) is screen
    screens.forget_user(ALICE)  # a screen belongs to the group, not to a person
    assert screens.of(GROUP).latest == 3
    screens.drop(GROUP)
    assert screens.of(GROUP).latest == 0
