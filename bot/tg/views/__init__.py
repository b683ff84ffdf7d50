"""Pure functions from service results to Telegram HTML and keyboards, one module per feature.

No I/O and no update handling: `bot.tg.handlers` calls these and sends what they return, and the
unit tests call them without Telegram.
"""
