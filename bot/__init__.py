"""A Telegram tutor bot that teaches the difference between MLOps and DevOps."""

__version__ = "0.1.0"
