"""Rendering: the lesson pictures (pipeline diagram, comparison table) and the streak heat map.

Drawing is not domain logic, so it lives beside ``bot.core`` rather than in it: these modules
may read the core's types but never Telegram, SQL or the services, and the core never imports
them (tests/unit/test_import_direction.py holds both rules). All text is set with
``bot.pictures.fonts.font``.
"""
