"""Typed settings read from the environment (and an optional `.env` file).

Every problem becomes a `ConfigError` with one line fit for a terminal. The bot token is wrapped in
`Secret` so that printing the settings, or an exception that carries them, never shows it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dotenv import dotenv_values
from dotenv.parser import parse_stream

from bot.core.clock import UnknownTimezoneError, zone
from bot.errors import ConfigError

__all__ = [
    "DEFAULT_DB_PATH",
    "LOG_LEVELS",
    "TELEGRAM_API_URL",
    "Secret",
    "Settings",
    "read_dotenv",
]

TELEGRAM_API_URL = "https://api.telegram.org/bot"
DEFAULT_DB_PATH = Path("tutor.sqlite3")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# BotFather tokens are "<bot id>:<secret>"; the secret uses the URL-safe base64 alphabet.
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")


class Secret:
    """A string whose repr/str is masked, so it cannot leak into a log line by accident."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot needs to start; build it with `from_env` or `for_tests`."""

    token: Secret
    api_base_url: str = TELEGRAM_API_URL
    base_file_url: str = "https://api.telegram.org/file/bot"
    db_path: Path = DEFAULT_DB_PATH
    # None means the content directory shipped beside the package.
    content_dir: Path | None = None
    admin_ids: frozenset[int] = frozenset()
    timezone: str = "UTC"
    poll_interval: float = 0.0
    log_level: str = "INFO"
    # Pace sends to Telegram's flood limits: `send_rate` messages a second overall and
    # `group_rate` per group every `group_rate_period` seconds. Tests on the emulator turn pacing
    # off (or scale it down); failed sends are retried either way (bot.tg.ratelimit).
    rate_limit: bool = True
    send_rate: float = 30.0
    group_rate: float = 20.0
    group_rate_period: float = 60.0
    # A failed request is retried this many times: after a 429, once Telegram's retry_after has
    # passed; after a transient failure (5xx, dropped connection, timeout), first after
    # `retry_delay` seconds and then after twice the previous wait each time.
    send_retries: int = 3
    retry_delay: float = 0.5
    # Per-user flood control: at most `flood_limit` messages in `flood_window` seconds.
    flood_limit: int = 20
    flood_window: float = 10.0
    # A file a repeating job touches every 30 s, for the container's HEALTHCHECK (None: off).
    heartbeat_file: Path | None = None
    # Whether DEBUG logs may show what users wrote and their names (bot.tg.logs).
    log_user_text: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], *, dotenv: Path | None = None, require_token: bool = True
    ) -> Settings:
        """Read settings from `environ`, falling back to a `.env` file in the working directory.

        Values in the real environment win over the file, so a deployment can override a checked-in
        development file without editing it. The offline console passes `require_token=False`: it
        reads the same database and time zone settings but never talks to Telegram.
        """
        path = dotenv if dotenv is not None else Path(".env")
        merged: dict[str, str] = dict(read_dotenv(path)) if path.is_file() else {}
        merged.update(environ)

        token = merged.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token and require_token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set (get a token from @BotFather)")
        if token and not _TOKEN.fullmatch(token):
            # Never echo the value: a malformed token is still most of a real one.
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is malformed (expected '<digits>:<letters, digits, _ or ->')"
            )
        api_base_url, base_file_url = _api_urls(merged.get("TELEGRAM_API_BASE_URL", ""))
        content = merged.get("TUTOR_CONTENT_DIR", "").strip()
        heartbeat = merged.get("TUTOR_HEARTBEAT_FILE", "").strip()
        return cls(
            token=Secret(token),
            api_base_url=api_base_url,
            base_file_url=base_file_url,
            db_path=Path(merged.get("TUTOR_DB_PATH", "").strip() or DEFAULT_DB_PATH),
            content_dir=Path(content) if content else None,
            admin_ids=_admin_ids(merged.get("TUTOR_ADMIN_IDS", "")),
            timezone=_timezone(merged.get("TUTOR_TIMEZONE", "").strip() or "UTC"),
            poll_interval=_poll_interval(merged.get("TUTOR_POLL_INTERVAL", "").strip() or "0"),
            log_level=_log_level(merged.get("LOG_LEVEL", "").strip() or "INFO"),
            heartbeat_file=Path(heartbeat) if heartbeat else None,
            send_rate=_rate("TUTOR_SEND_RATE", merged.get("TUTOR_SEND_RATE", ""), 30.0),
            group_rate=_rate("TUTOR_GROUP_RATE", merged.get("TUTOR_GROUP_RATE", ""), 20.0),
            log_user_text=_flag("TUTOR_LOG_USER_TEXT", merged.get("TUTOR_LOG_USER_TEXT", "")),
        )

    @classmethod
    def for_tests(
        cls,
        *,
        token: str = "123456:TEST-TOKEN",  # noqa: S107 - a fake token for the emulator
        api_base_url: str,
        db_path: Path | str,
        content_dir: Path | str | None = None,
        admin_ids: tuple[int, ...] | frozenset[int] = (),
        timezone: str = "UTC",
        rate_limit: bool = False,
        flood_limit: int = 20,
        flood_window: float = 10.0,
        heartbeat_file: Path | str | None = None,
        send_rate: float = 30.0,
        group_rate: float = 20.0,
        group_rate_period: float = 60.0,
        send_retries: int = 3,
        retry_delay: float = 0.5,
    ) -> Settings:
        """Settings for a bot talking to the emulator: no pacing unless asked, explicit paths."""
        base, files = _api_urls(api_base_url)
        return cls(
            token=Secret(token),
            api_base_url=base,
            base_file_url=files,
            db_path=Path(db_path),
            content_dir=Path(content_dir) if content_dir is not None else None,
            admin_ids=frozenset(admin_ids),
            timezone=_timezone(timezone),
            rate_limit=rate_limit,
            flood_limit=flood_limit,
            flood_window=flood_window,
            heartbeat_file=Path(heartbeat_file) if heartbeat_file is not None else None,
            send_rate=send_rate,
            group_rate=group_rate,
            group_rate_period=group_rate_period,
            send_retries=send_retries,
            retry_delay=retry_delay,
        )


def read_dotenv(path: Path) -> dict[str, str]:
    """Read `.env` the way python-dotenv (and docker compose, and most tools) read it.

    Quotes, `export `, inline `# comments` and `${VAR}` references follow dotenv's rules; a line
    dotenv cannot parse stops the bot with its line number instead of being skipped with a log
    warning, since a setting silently missing is worse. A bare `KEY` line sets nothing.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the .env file ({exc})") from None
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise ConfigError(f"{path}:{binding.original.line}: expected KEY=value")
    values = dotenv_values(stream=io.StringIO(text), interpolate=True)
    return {key: value for key, value in values.items() if value is not None}


def _api_urls(raw: str) -> tuple[str, str]:
    """The Bot API base URL and the file URL derived from it (Telegram's own by default)."""
    base = raw.strip() or TELEGRAM_API_URL
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            "TELEGRAM_API_BASE_URL must be an http(s) URL such as http://127.0.0.1:8081/bot"
        )
    base = base.rstrip("/")
    prefix, _, last = base.rpartition("/")
    # A Bot API server serves files under /file/bot<token>/ beside /bot<token>/.
    files = f"{prefix}/file/{last}" if last == "bot" and prefix.count("/") >= 2 else f"{base}/file"
    return base, files


def _admin_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"TUTOR_ADMIN_IDS must be comma-separated Telegram user ids, got {part!r}"
            ) from None
    return frozenset(ids)


def _timezone(name: str) -> str:
    """The canonical IANA name, validated the same way /timezone validates a learner's zone."""
    try:
        return zone(name).key
    except UnknownTimezoneError:
        raise ConfigError(
            f"TUTOR_TIMEZONE {name!r} is not a known IANA time zone (e.g. Europe/Berlin)"
        ) from None


def _poll_interval(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(
            f"TUTOR_POLL_INTERVAL must be a number of seconds, got {raw!r}"
        ) from None
    if not 0 <= value <= 60:
        raise ConfigError(f"TUTOR_POLL_INTERVAL must be between 0 and 60 seconds, got {raw}")
    return value


def _rate(name: str, raw: str, default: float) -> float:
    """A positive message rate; TUTOR_SEND_RATE is per second, TUTOR_GROUP_RATE per minute."""
    if not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of messages, got {raw!r}") from None
    if not 0 < value <= 10_000:
        raise ConfigError(f"{name} must be above 0 and at most 10000, got {raw}")
    return value


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level
