"""The Telegram adapter, the only package that imports `telegram`.

Entry points: `bot.tg.app.build_application` (the wired Application), `bot.tg.runner.run` (the
`tutor-bot run` command), `bot.tg.state.AppState` (what handlers share). Each handler module
(guards, migration, commands, learn, quiz, daily, stats, privacy, jobs, group, buttons, ask,
errors) exposes `register(app)`. Shared helpers: `send` (edits, "not modified", inaccessible
messages, "may not post here"), `render` (escaping, fitting, plural), `scheduling` (named jobs),
`ratelimit` (pacing and retries of every request), `updates` (updates of different users at
once, each user's in order, a bounded backlog), `admins` (the group admin check), `keyboards`
and `callbacks` (buttons and their data).
"""
