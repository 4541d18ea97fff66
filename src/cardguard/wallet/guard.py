"""The one rule that holds everywhere: a full card number or a security code is never stored.

A Luhn-valid run of 13 to 19 digits (spaces and dashes allowed between them) in any field, or a
3-4 digit value in a field named like a security code, is refused. The message names the field and
never repeats the value, so it cannot end up in a log or a terminal scrollback either.
"""

from __future__ import annotations

import re
import unicodedata

from cardguard.errors import UserError

_RUN = re.compile(r"(?<![\d])(?:\d[ \-]?){12,18}\d(?![\d])")
_SECURITY_FIELD = re.compile(r"(cvv|cvc|cid|security.?code|セキュリティ|確認番号|card.?verification)", re.IGNORECASE)


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def has_card_number(text: str) -> bool:
    normalized = unicodedata.normalize("NFKC", text)
    for match in _RUN.finditer(normalized):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            return True
    return False


def looks_like_security_code_field(name: str) -> bool:
    return bool(_SECURITY_FIELD.search(unicodedata.normalize("NFKC", name)))


def refuse_card_data(field: str, value: object, *, where: str = "") -> None:
    """Raise if ``value`` holds a full card number, or ``field`` is a security code."""
    if value is None:
        return
    text = str(value)
    if has_card_number(text):
        raise UserError("error.card_number_refused", field=field, where=where)
    if looks_like_security_code_field(field) and re.fullmatch(r"\s*\d{3,4}\s*", unicodedata.normalize("NFKC", text)):
        raise UserError("error.security_code_refused", field=field, where=where)


def check_fields(fields: dict[str, object], *, where: str = "") -> None:
    for name, value in fields.items():
        refuse_card_data(name, value, where=where)
