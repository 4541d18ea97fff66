"""Where cardguard keeps the user's files. Environment variables win so tests and portable installs
can point elsewhere without touching the real profile."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "cardguard"


def config_dir() -> Path:
    env = os.environ.get("CARDGUARD_CONFIG_DIR")
    return Path(env) if env else platformdirs.user_config_path(APP)


def data_dir() -> Path:
    env = os.environ.get("CARDGUARD_DATA_DIR")
    return Path(env) if env else platformdirs.user_data_path(APP)


def cache_dir() -> Path:
    """Copies cardguard can always rebuild (parsed message files): deleting it loses nothing."""
    env = os.environ.get("CARDGUARD_CACHE_DIR")
    return Path(env) if env else platformdirs.user_cache_path(APP)


def overrides_file() -> Path:
    return config_dir() / "overrides.toml"


def user_issuers_dir() -> Path:
    return config_dir() / "issuers"


def registry_exists() -> bool:
    """False only for the default SQLite file not created yet: looking must not create it."""
    url = database_url()
    return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists()


def database_url() -> str:
    """CARDGUARD_DATABASE_URL (any SQLAlchemy URL), else SQLite in the user's data dir."""
    env = os.environ.get("CARDGUARD_DATABASE_URL")
    return env or f"sqlite:///{data_dir() / 'cardguard.db'}"
