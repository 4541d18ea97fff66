"""Provider presets, read from data/presets.toml (hosts and instructions with their sources)."""

from __future__ import annotations

import tomllib
from dataclasses import field
from datetime import date
from functools import cache
from importlib import resources

from cardguard.i18n import Text
from cardguard.records import read
from cardguard.values import record

# Folder names providers use for junk when a server does not mark it \Junk (RFC 6154); the
# special-use flag always wins over a name.
KNOWN_JUNK_NAMES = ("迷惑メール", "Junk", "[Gmail]/Spam", "[Gmail]/迷惑メール", "Bulk Mail", "Spam", "Junk E-mail")


@record
class Preset:
    id: str
    name: str
    host: str | None = None
    port: int = 993
    source: str | None = None
    source_url: str | None = None
    read_on: date | None = None
    password_source: str | None = None
    password_source_url: str | None = None
    password_help: Text
    junk_names: list[str] = field(default_factory=list)
    authserv_id: str | None = None
    authserv_source: str | None = None


@cache
def presets() -> dict[str, Preset]:
    raw = tomllib.loads(resources.files(__package__).joinpath("data/presets.toml").read_text(encoding="utf-8"))
    return {key: read(Preset, {"id": key, **value}) for key, value in raw.items()}
