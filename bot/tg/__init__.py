"""The Telegram adapter, the only package that imports `telegram`.

Entry points: `bot.tg.app.build_application` (the wired Application), `bot.tg.runner.run` (the
`tutor-bot run` command), `bot.tg.state.AppState` (what handlers share). Each handler module
(commands, learn, ask, buttons, guards, errors) exposes `register(app)`.
"""
