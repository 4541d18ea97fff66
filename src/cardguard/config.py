"""The user's settings file (config.toml in the config dir): receivers they trust, and the
alias address they registered with each issuer."""

from __future__ import annotations

import re
import stat
from dataclasses import field
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from cardguard import paths
from cardguard.i18n import both
from cardguard.records import Check, Unreadable, read
from cardguard.shortened import shortened
from cardguard.values import record


def _address(value: str) -> str:
    # The shape `cards add --alias` asks for; compared without case, as mail addresses are.
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ValueError(both("record.address", value=shortened(value, 60)))
    return value


Address = Annotated[str, Check(_address)]


def _zone(value: str) -> str:
    # Said here, with its line, rather than by whichever command first reads a time.
    from cardguard.when import known_zone

    if known_zone(value) is None:
        raise ValueError(both("record.zone", value=shortened(value, 60)))
    return value


@record
class CheckSettings:
    trust_authserv: list[str] = field(default_factory=list)
    resolver: str | None = None  # HOST:PORT of the DNS server to use instead of the system's


@record
class Settings:
    check: CheckSettings = field(default_factory=CheckSettings)
    aliases: dict[str, list[Address]] = field(default_factory=dict)  # issuer -> addresses registered with it
    tz: Annotated[str, Check(_zone)] | None = None  # the IANA zone the holder reads times in (e.g. Asia/Tokyo)


def _config_file() -> tuple[Path, dict, str] | None:
    """config.toml as (path, values, text); None when there is none. Parsed again only when the file
    changed: every time shown (a timeline's events, a scan's mails) asks for the holder's zone."""
    path = paths.config_dir() / "config.toml"
    try:
        info = path.stat()
    except OSError:
        return None
    return _parsed(str(path), info.st_mtime_ns, info.st_size) if stat.S_ISREG(info.st_mode) else None


@lru_cache(maxsize=4)
def _parsed(path: str, _changed: int, _size: int) -> tuple[Path, dict, str]:
    from cardguard.directory.load import _parse_toml

    raw, text = _parse_toml(Path(path))
    return Path(path), raw, text


def load_settings() -> Settings:
    from cardguard.directory.load import _validation_error

    found = _config_file()
    if found is None:
        return Settings()
    path, raw, text = found
    try:
        settings = read(Settings, raw)
    except Unreadable as exc:
        raise _validation_error(path, text, exc) from None
    if settings.aliases:
        # An alias counts for the card company it was registered with, so the company must be one
        # the directory knows (its id or a brand word such as "amex"); a typo is said, not ignored.
        from cardguard.directory.load import _locate, load_directory
        from cardguard.errors import UserError

        directory = load_directory()
        for given in settings.aliases:
            if directory.find_issuer(given) is None:
                raise UserError("error.file_invalid", file=str(path), line=_locate(text, ("aliases", given))[0],
                                field=given, problem=both("error.unknown_issuer", given=shortened(given, 60),
                                                          choices=", ".join(sorted(directory.issuers))))
    return settings


def configured_zone():
    """config.toml's ``tz`` alone, as a zone (None when the file or the key is not there). Only a
    wrong ``tz`` is an error here: a problem elsewhere in the file is said by the command that reads
    that part (`check`), and never stops a holder logging the call that stopped their card."""
    from cardguard.directory.load import _validation_error
    from cardguard.errors import UserError
    from cardguard.when import known_zone

    try:
        found = _config_file()
    except UserError:
        return None  # not TOML at all: `check` says so; times go by the other sources
    if found is None:
        return None
    path, raw, text = found
    if "tz" not in raw:
        return None
    try:
        return known_zone(read(Settings, {"tz": raw["tz"]}).tz)
    except Unreadable as exc:
        raise _validation_error(path, text, exc) from None


def aliases_by_issuer(settings: Settings) -> dict[str, list[str]]:
    """The aliases of config.toml under the id of the card company each was registered with."""
    from cardguard.directory.load import load_directory

    directory = load_directory()
    found: dict[str, list[str]] = {}
    for given, addresses in settings.aliases.items():
        issuer = directory.find_issuer(given)
        if issuer is not None:
            found.setdefault(issuer.id, []).extend(addresses)
    return found
