"""The user's settings file (config.toml in the config dir): receivers they trust, and the
alias address they registered with each issuer."""

from __future__ import annotations

from dataclasses import field

from cardguard import paths
from cardguard.records import Unreadable, read
from cardguard.values import record


@record
class CheckSettings:
    trust_authserv: list[str] = field(default_factory=list)
    resolver: str | None = None  # HOST:PORT of the DNS server to use instead of the system's


@record
class Settings:
    check: CheckSettings = field(default_factory=CheckSettings)
    aliases: dict[str, list[str]] = field(default_factory=dict)  # issuer id -> addresses registered with it
    tz: str | None = None  # the IANA zone the holder reads times in (e.g. Asia/Tokyo)


def load_settings() -> Settings:
    from cardguard.directory.load import _parse_toml, _validation_error

    path = paths.config_dir() / "config.toml"
    if not path.is_file():
        return Settings()
    raw, text = _parse_toml(path)
    try:
        return read(Settings, raw)
    except Unreadable as exc:
        raise _validation_error(path, text, exc) from None
