"""Settings from the environment and `.env`: defaults, validation, and a token that never shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Secret, Settings, read_dotenv
from bot.errors import ConfigError

TOKEN = "123456:TEST-secret_part"


def env(**values: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, **values}


def from_env(tmp_path: Path, environ: dict[str, str], dotenv: str | None = None) -> Settings:
    path = tmp_path / ".env"
    if dotenv is not None:
        path.write_text(dotenv, encoding="utf-8")
    return Settings.from_env(environ, dotenv=path)


def test_defaults(tmp_path: Path) -> None:
    """With only a token set, every other setting takes its documented default."""
    settings = from_env(tmp_path, env())
    assert settings.token.get() == TOKEN
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert settings.db_path == Path("tutor.sqlite3")
    assert settings.content_dir is None
    assert settings.admin_ids == frozenset()
    assert settings.timezone == "UTC"
    assert settings.poll_interval == 0.0
    assert settings.log_level == "INFO"
    assert settings.rate_limit is True
    assert (settings.send_rate, settings.group_rate, settings.group_rate_period) == (30, 20, 60)
    assert settings.send_retries == 3


def test_every_variable_is_read(tmp_path: Path) -> None:
    """Each documented variable lands in its typed field."""
    settings = from_env(
        tmp_path,
        env(
            TELEGRAM_API_BASE_URL="http://127.0.0.1:8081/bot",
            TUTOR_DB_PATH="/data/tutor.db",
            TUTOR_CONTENT_DIR="/content",
            TUTOR_ADMIN_IDS=" 42, 7 ,",
            TUTOR_TIMEZONE="Europe/Berlin",
            TUTOR_POLL_INTERVAL="1.5",
            TUTOR_SEND_RATE="25",
            TUTOR_GROUP_RATE="12.5",
            LOG_LEVEL="debug",
        ),
    )
    assert (settings.send_rate, settings.group_rate) == (25.0, 12.5)
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.db_path == Path("/data/tutor.db")
    assert settings.content_dir == Path("/content")
    assert settings.admin_ids == frozenset({42, 7})
    assert settings.tz.key == "Europe/Berlin"
    assert settings.poll_interval == 1.5
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "   "}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "no-colon-here"}, "TELEGRAM_BOT_TOKEN is malformed"),
        (env(TELEGRAM_API_BASE_URL="ftp://x/bot"), "TELEGRAM_API_BASE_URL"),
        (env(TELEGRAM_API_BASE_URL="not a url"), "TELEGRAM_API_BASE_URL"),
        (env(TUTOR_ADMIN_IDS="1,two"), "TUTOR_ADMIN_IDS"),
        (env(TUTOR_TIMEZONE="Mars/Olympus"), "TUTOR_TIMEZONE"),
        (env(TUTOR_POLL_INTERVAL="soon"), "TUTOR_POLL_INTERVAL"),
        (env(TUTOR_POLL_INTERVAL="-1"), "TUTOR_POLL_INTERVAL"),
        (env(TUTOR_POLL_INTERVAL="nan"), "TUTOR_POLL_INTERVAL"),
        (env(LOG_LEVEL="chatty"), "LOG_LEVEL"),
        (env(TUTOR_SEND_RATE="fast"), "TUTOR_SEND_RATE"),
        (env(TUTOR_SEND_RATE="0"), "TUTOR_SEND_RATE"),
        (env(TUTOR_GROUP_RATE="-5"), "TUTOR_GROUP_RATE"),
        (env(TUTOR_GROUP_RATE="inf"), "TUTOR_GROUP_RATE"),
    ],
)
def test_invalid_settings_raise_one_line(
    tmp_path: Path, environ: dict[str, str], fragment: str
) -> None:
    """A missing or invalid setting raises ConfigError with one line naming the variable."""
    with pytest.raises(ConfigError) as caught:
        from_env(tmp_path, environ)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message


def test_malformed_token_is_not_echoed(tmp_path: Path) -> None:
    """The error for a malformed token does not repeat the token's value."""
    with pytest.raises(ConfigError) as caught:
        from_env(tmp_path, {"TELEGRAM_BOT_TOKEN": "123:has spaces secretvalue"})
    assert "secretvalue" not in str(caught.value)


def test_token_is_masked_in_repr(tmp_path: Path) -> None:
    """Neither the Secret nor the Settings holding it show the token when printed."""
    settings = from_env(tmp_path, env())
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in repr(settings.token)
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    """Values come from `.env` when present, but the real environment overrides them."""
    dotenv = (
        "# comment\n\n"
        f"export TELEGRAM_BOT_TOKEN='{TOKEN}'\n"
        'TUTOR_TIMEZONE="Asia/Tokyo"\n'
        "LOG_LEVEL=WARNING # inline comment\n"
    )
    settings = from_env(tmp_path, {"LOG_LEVEL": "ERROR"}, dotenv)
    assert settings.token.get() == TOKEN
    assert settings.timezone == "Asia/Tokyo"
    assert settings.log_level == "ERROR"


def test_dotenv_syntax_error_names_the_line(tmp_path: Path) -> None:
    """A malformed `.env` line is reported with its file and line number."""
    path = tmp_path / ".env"
    path.write_text("GOOD=1\nthis is not an assignment\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.env:2: expected KEY=value"):
        read_dotenv(path)


def test_missing_dotenv_is_fine(tmp_path: Path) -> None:
    """Without a `.env` file only the environment is used."""
    settings = Settings.from_env(env(), dotenv=tmp_path / "absent.env")
    assert settings.token.get() == TOKEN


def test_file_url_for_a_custom_server(tmp_path: Path) -> None:
    """A base URL not ending in /bot still gets a file URL beside it."""
    settings = from_env(tmp_path, env(TELEGRAM_API_BASE_URL="http://127.0.0.1:9000/api/"))
    assert settings.api_base_url == "http://127.0.0.1:9000/api"
    assert settings.base_file_url == "http://127.0.0.1:9000/api/file"


def test_for_tests_turns_the_rate_limiter_off(tmp_path: Path) -> None:
    """Test settings point at the given server, with the rate limiter off and explicit paths."""
    settings = Settings.for_tests(
        api_base_url="http://127.0.0.1:1234/bot", db_path=tmp_path / "t.db", admin_ids=(5,)
    )
    assert settings.rate_limit is False
    assert settings.base_file_url == "http://127.0.0.1:1234/file/bot"
    assert settings.db_path == tmp_path / "t.db"
    assert settings.admin_ids == frozenset({5})
    with pytest.raises(ConfigError):
        Settings.for_tests(api_base_url="http://x/bot", db_path="x", timezone="Nowhere/Land")


def test_dotenv_follows_the_usual_dotenv_rules(tmp_path: Path) -> None:
    """Quoted values with a trailing comment, `export`, spaces around `=` and `${VAR}` work."""
    path = tmp_path / ".env"
    path.write_text(
        'TUTOR_TIMEZONE="Europe/Berlin"  # where the group meets\n'
        "export LOG_LEVEL='debug' # louder while testing\n"
        "TUTOR_DB_PATH = /data/tutor.sqlite3 # on the volume\n"
        "BASE=/srv\n"
        "TUTOR_CONTENT_DIR=${BASE}/content\n"
        "JUST_A_NAME\n",
        encoding="utf-8",
    )
    assert read_dotenv(path) == {
        "TUTOR_TIMEZONE": "Europe/Berlin",
        "LOG_LEVEL": "debug",
        "TUTOR_DB_PATH": "/data/tutor.sqlite3",
        "BASE": "/srv",
        "TUTOR_CONTENT_DIR": "/srv/content",
    }


@pytest.mark.parametrize(
    ("raw", "expected"), [("", False), ("0", False), ("1", True), ("true", True), (" yes ", True)]
)
def test_log_user_text_is_off_unless_asked(tmp_path: Path, raw: str, expected: bool) -> None:
    env = {"TELEGRAM_BOT_TOKEN": "123:abc", "TUTOR_LOG_USER_TEXT": raw}
    settings = Settings.from_env(env, dotenv=tmp_path / "none.env")
    assert settings.log_user_text is expected


def test_log_user_text_rejects_other_values(tmp_path: Path) -> None:
    env = {"TELEGRAM_BOT_TOKEN": "123:abc", "TUTOR_LOG_USER_TEXT": "maybe"}
    with pytest.raises(ConfigError, match="TUTOR_LOG_USER_TEXT must be 1 or 0"):
        Settings.from_env(env, dotenv=tmp_path / "none.env")
