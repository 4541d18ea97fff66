"""The page's language: the user's switch (a cookie) wins, then the browser's Accept-Language,
negotiated with Babel."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from babel.core import negotiate_locale

from cardguard.i18n import Lang

SUPPORTED = ["ja", "en"]


def from_accept_language(header: str | None) -> Lang:
    preferred = []
    for part in (header or "").split(","):
        tag = part.split(";")[0].strip()
        if tag and tag != "*":
            try:
                preferred.append(str(Locale.parse(tag, sep="-")))
            except (ValueError, UnknownLocaleError):
                continue
    found = negotiate_locale(preferred, SUPPORTED, sep="_") if preferred else None
    return "ja" if found == "ja" else "en"


def page_lang(cookie: str | None, accept_language: str | None) -> Lang:
    if cookie in SUPPORTED:
        return cookie  # type: ignore[return-value]
    return from_accept_language(accept_language)
