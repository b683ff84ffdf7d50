"""The features' handlers: each narrows an update, calls one service, calls a view, sends.

One module per feature, each with `register(app)`: start (/start, /help, the menu), ask, learn
(lessons and pictures), quiz, daily (with its start-up restore), group_rounds (/groupquiz,
/stopquiz, /top, answer taps) and group_screen (what the group sees of a round, and the jobs
between rounds), reminders, settings (/timezone, /reminders, /settings), privacy (/forget,
/export), stats, progress (/progress and its practise buttons), migration (a group that became
a supergroup), and fallback (button data no feature claims, unknown commands).
"""
