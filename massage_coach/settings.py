"""Every setting the environment gives, read in one place.

Server launchers, channels, the content loader and the clients all take their ports,
paths and origins from `settings()`; nothing else reads os.environ for these.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Tuple

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_CONTENT_DIR = PROJECT_DIR / "content"


class SettingError(ValueError):
    """An environment variable has a value that cannot be used."""


def number(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise SettingError(f"{name} must be a whole number, not {value!r}") from None


def content_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """MASSAGE_COACH_CONTENT, read at each call: tests and editors switch content on the fly."""
    return Path(environ.get("MASSAGE_COACH_CONTENT", DEFAULT_CONTENT_DIR))


@dataclass(frozen=True)
class Settings:
    rasa_port: int = 5005
    actions_port: int = 5055
    widget_port: int = 8080
    audio_port: int = 8081  # the widget's hands-free audio WebSocket
    model: Path = PROJECT_DIR / "models" / "massage-coach.tar.gz"
    tracker_db: Path = PROJECT_DIR / "var" / "conversations.db"
    content_dir: Path = DEFAULT_CONTENT_DIR
    # The web pages allowed to open the socket.io channel (the widget's hosts).
    cors_origins: Tuple[str, ...] = ()
    # Rasa's HTTP API (trackers, events) is only ever opened behind this token.
    api_token: Optional[str] = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        defaults = cls()
        return cls(
            rasa_port=number(environ, "RASA_PORT", defaults.rasa_port),
            actions_port=number(environ, "ACTIONS_PORT", defaults.actions_port),
            widget_port=number(environ, "WIDGET_PORT", defaults.widget_port),
            audio_port=number(environ, "AUDIO_PORT", defaults.audio_port),
            model=Path(environ.get("MODEL", defaults.model)),
            tracker_db=Path(environ.get("TRACKER_DB", defaults.tracker_db)),
            content_dir=content_dir(environ),
            cors_origins=tuple(environ.get("CORS_ORIGINS", "").split()),
            api_token=environ.get("RASA_API_TOKEN") or None,
        )

    @property
    def rest_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}/webhooks/rest/webhook"


@lru_cache(maxsize=None)
def settings() -> Settings:
    return Settings.from_environment()
