"""The user's settings file (config.toml in the config dir): receivers they trust, and the
alias address they registered with each issuer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from cardguard import paths
from cardguard.i18n import Lang


class CheckSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trust_authserv: list[str] = []
    resolver: str | None = None  # HOST:PORT of the DNS server to use instead of the system's


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    check: CheckSettings = CheckSettings()
    aliases: dict[str, list[str]] = {}  # issuer id -> addresses registered with it


def load_settings(lang: Lang | None = None) -> Settings:  # noqa: ARG001 - errors carry both languages
    from cardguard.directory.load import _parse_toml, _validation_error

    path = paths.config_dir() / "config.toml"
    if not path.is_file():
        return Settings()
    raw, text = _parse_toml(path)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(path, text, exc) from None
