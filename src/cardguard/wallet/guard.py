"""The one rule that holds everywhere: a full card number or a security code is never stored.

Refused in any free-text field:
- a run of 13 to 19 digits, however the holder grouped it (spaces, - . _ / and their full-width
  forms, full-width digits), Luhn-valid or not: a number with one mistyped digit is still the
  holder's card number, and it must not land in a file either;
- a 3-4 digit value next to a security-code label (CVV, CVC, CID, CVV2, セキュリティコード …), or
  in a field named like one.

The message names the field and never repeats the value, so it cannot end up in a log or a
terminal scrollback either.
"""

from __future__ import annotations

import re
import unicodedata

from cardguard.errors import UserError

# Separators people put between groups of a card number. NFKC has already folded the full-width
# forms (＿ ／ ． － and the ideographic space) to these; the dashes NFKC leaves alone are listed.
_SEP = r"[ \t\-._/\u2010-\u2015\u2212\u30fc\uff70]"
# Digits joined by at most three separators at a time ("4242 - 4242"), as one run.
_RUN = re.compile(rf"(?<!\d)\d(?:{_SEP}{{0,3}}\d)*(?!\d)")
# A date is not a card number: "2025-12-05 2026-01-05" has sixteen digits but is two dates.
# Only a date that stands apart: "2015.1.1.4242.4242" is a grouped number, not a date and digits.
_DATE = re.compile(rf"(?<!\d)(?<!\d{_SEP})(?:19|20)\d\d\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}}(?:\s*日)?"
                   rf"(?!\d)(?![-._/]\d)")
_SECURITY_LABEL = r"(?:cvv2?|cvc2?|cid|cav2?|security\s*code|セキュリティー?コード|ｾｷｭﾘﾃｨｰ?ｺｰﾄﾞ)"
_SECURITY_FIELD = re.compile(rf"({_SECURITY_LABEL}|security.?code|セキュリティ|確認番号|card.?verification)",
                             re.IGNORECASE)
# The label, then a few characters of punctuation or particles, then the code: "CVV: 123",
# "セキュリティコードは123", "cvv=1234"; or the code then its label: "123 (CVV)".
_CODE_NEAR_LABEL = re.compile(
    rf"(?<![a-z]){_SECURITY_LABEL}(?![a-z])[^0-9a-z]{{0,4}}(?:(?:is|was|no|number|code|番号)[^0-9a-z]{{0,4}})?"
    rf"\d{{3,4}}(?!\d)"
    rf"|(?<!\d)\d{{3,4}}[^0-9a-z]{{0,3}}{_SECURITY_LABEL}(?![a-z])",
    re.IGNORECASE)


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


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _card_like(run: str) -> bool:
    digits = re.sub(r"\D", "", run)
    if 13 <= len(digits) <= 19:
        return True
    if len(digits) < 13:
        return False
    # A longer run may be a card number followed by its expiry or code ("4242 4242 4242 4242 12/29"):
    # any stretch of it between spaces that holds 13-19 digits is a card number.
    parts = [re.sub(r"\D", "", p) for p in re.split(r"\s+", run)]
    for start in range(len(parts)):
        count = 0
        for part in parts[start:]:
            count += len(part)
            if 13 <= count <= 19:
                return True
            if count > 19:
                break
    return False


_DIGIT = re.compile(r"\d")  # any script's digits, full-width too
_THREE_DIGITS = re.compile(r"\d{3}")


def has_card_number(text: str) -> bool:
    if len(_DIGIT.findall(text)) < 13:
        return False  # the common case, decided without folding or parsing
    folded = _DATE.sub("#", _folded(text))
    return any(_card_like(match.group(0)) for match in _RUN.finditer(folded))


def has_security_code(text: str) -> bool:
    if not _THREE_DIGITS.search(text):
        return False
    return bool(_CODE_NEAR_LABEL.search(_folded(text)))


def looks_like_security_code_field(name: str) -> bool:
    return bool(_SECURITY_FIELD.search(_folded(name)))


def refuse_card_data(field: str, value: object, *, where: str = "") -> None:
    """Raise if ``value`` holds a full card number or a labelled security code, or ``field`` is one."""
    if value is None:
        return
    text = str(value)
    if has_card_number(text):
        raise UserError("error.card_number_refused", field=field, where=where)
    if has_security_code(text) or (looks_like_security_code_field(field)
                                   and re.fullmatch(r"\s*\d{3,4}\s*", _folded(text))):
        raise UserError("error.security_code_refused", field=field, where=where)


def check_fields(fields: dict[str, object], *, where: str = "") -> None:
    for name, value in fields.items():
        refuse_card_data(name, value, where=where)
