"""A long text shown cut short, as a holder reads it: cut where a character a reader sees ends (never
inside a web address's %XX escape or the escapes of one character, never between a letter and its
accent, an emoji and its modifier, or the halves of a surrogate pair), and the cut said with "…".
Only for display: what a program reads (--json, the stored record) is never cut."""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
_HEX = frozenset("0123456789abcdefABCDEF")
_ZWJ = "\u200d"


def _joins_previous(char: str) -> bool:
    """Whether ``char`` belongs to the character a reader sees before it."""
    point = ord(char)
    return (unicodedata.category(char) in ("Mn", "Mc", "Me") or char == _ZWJ
            or point in (0xFF9E, 0xFF9F)  # halfwidth (han)dakuten: ｶﾞ is one character
            or 0xFE00 <= point <= 0xFE0F or 0xE0100 <= point <= 0xE01EF  # variation selectors
            or 0x1F3FB <= point <= 0x1F3FF or 0xE0020 <= point <= 0xE007F  # skin tones, emoji tags
            or 0xDC00 <= point <= 0xDFFF)  # the second half of a surrogate pair


def _escaped_bytes_before(text: str, cut: int) -> list[tuple[int, int]]:
    """The %XX escapes that end at ``cut``, one after another: (where each starts, its byte)."""
    found = []
    while cut >= 3 and text[cut - 3] == "%" and text[cut - 2] in _HEX and text[cut - 1] in _HEX:
        found.append((cut - 3, int(text[cut - 2:cut], 16)))
        cut -= 3
    return found[::-1]


def _utf8_length(lead: int) -> int:
    return 2 if 0xC0 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF8 else 1


def _boundary(text: str, cut: int) -> int:
    # Not inside one escape: "%" or "%E" kept before the cut would read as another address.
    for back in (1, 2):
        if cut - back >= 0 and text[cut - back] == "%" and cut - back + 3 <= len(text) \
                and all(c in _HEX for c in text[cut - back + 1:cut - back + 3]):
            cut -= back
            break
    # Nor between the escapes of one character (%E3%81 of %E3%81%8B).
    escaped = _escaped_bytes_before(text, cut)
    for index in range(len(escaped) - 1, -1, -1):
        start, byte = escaped[index]
        if byte & 0xC0 != 0x80:  # the first byte of a character
            if len(escaped) - index < _utf8_length(byte):
                cut = start
            break
    # Nor inside a character a reader sees as one.
    while 0 < cut < len(text) and (_joins_previous(text[cut]) or text[cut - 1] == _ZWJ
                                   or 0xD800 <= ord(text[cut - 1]) <= 0xDBFF):
        cut -= 1
    # A flag is two regional indicators: an odd run of them before the cut would split one.
    if 0 < cut < len(text) and 0x1F1E6 <= ord(text[cut]) <= 0x1F1FF:
        run = cut
        while run > 0 and 0x1F1E6 <= ord(text[run - 1]) <= 0x1F1FF:
            run -= 1
        cut -= (cut - run) % 2
    return cut


def shortened(text: str, limit: int) -> str:
    """``text`` whole when it has at most ``limit`` characters; otherwise as much of it as fits
    before a boundary, then "…" (``limit`` characters at most in all)."""
    if len(text) <= limit:
        return text
    return text[:_boundary(text, max(0, limit - len(ELLIPSIS)))] + ELLIPSIS
