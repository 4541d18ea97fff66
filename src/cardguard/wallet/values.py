"""Reading the values a person types or a spreadsheet holds: dates, amounts, cycles, MM/YY.

Japanese spreadsheets write 2025年12月1日, ¥1,490 and 月額; all of these are accepted, and full-width
digits count as digits. A value that cannot be read is an error naming the field, not a guess.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from cardguard.errors import UserError

CYCLES = ("monthly", "yearly", "other", "one-off")
HOLDS = ("typed", "wallet", "unknown")
_CYCLE_WORDS = {
    "monthly": ["monthly", "month", "月額", "毎月", "月払い", "月", "1ヶ月", "1か月", "mensal"],
    "yearly": ["yearly", "annual", "annually", "year", "年額", "毎年", "年払い", "年", "12ヶ月", "12か月"],
    "one-off": ["one-off", "oneoff", "once", "one-time", "単発", "一回", "1回", "都度"],
    "other": ["other", "その他", "weekly", "quarterly", "週", "四半期"],
}
_HOLDS_WORDS = {
    "typed": ["typed", "card", "カード番号", "カード", "手入力", "登録"],
    "wallet": ["wallet", "apple pay", "applepay", "google pay", "googlepay", "tokenized", "ウォレット"],
    "unknown": ["unknown", "不明", ""],
}
_SYMBOLS = {"¥": "JPY", "円": "JPY", "$": "USD", "€": "EUR", "£": "GBP", "₩": "KRW", "R$": "BRL", "HK$": "HKD",
            "S$": "SGD", "A$": "AUD", "C$": "CAD"}


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def bad(field: str, given: str, expected_key: str) -> UserError:
    from cardguard.wallet.guard import has_card_number

    shown = "…" if has_card_number(given) else given[:60]  # never echo a card number, even by mistake
    return UserError("error.bad_value", field=field, given=shown, expected_key=expected_key)


def parse_last4(value: str, field: str = "last4") -> str:
    text = nfkc(value)
    if not re.fullmatch(r"\d{4}", text):
        raise UserError("error.bad_last4", field=field)
    return text


def parse_expiry(value: str | None, field: str = "expiry") -> str | None:
    if value is None or not nfkc(value):
        return None
    text = nfkc(value)
    found = re.fullmatch(r"(\d{1,2})\s*[/\-.]?\s*(\d{2}|\d{4})", text)
    if not found or not 1 <= int(found.group(1)) <= 12:
        raise bad(field, text, "expected.expiry")
    return f"{int(found.group(1)):02d}/{found.group(2)[-2:]}"


def parse_date(value: str | None, field: str) -> date | None:
    if value is None or not nfkc(value):
        return None
    text = nfkc(value)
    found = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?", text)
    if found:
        try:
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            pass
    raise bad(field, text, "expected.date")


def parse_amount(value: str | None, field: str = "amount") -> tuple[Decimal | None, str | None]:
    if value is None or not nfkc(value):
        return None, None
    # In Shift_JIS the yen sign is byte 0x5C, which decodes as a backslash.
    text = re.sub(r"^\\(?=\s?\d)", "¥", nfkc(value))
    currency = None
    for symbol, code in sorted(_SYMBOLS.items(), key=lambda item: -len(item[0])):
        if symbol in text:
            currency = code
            text = text.replace(symbol, "")
            break
    code = re.search(r"\b([A-Z]{3})\b", text)
    if code:
        currency = code.group(1)
        text = text.replace(code.group(1), "")
    number = text.replace(",", "").replace(" ", "")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise bad(field, nfkc(value), "expected.amount") from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise bad(field, nfkc(value), "expected.amount")
    return amount.quantize(Decimal("0.01")), currency


def _choice(value: str | None, field: str, words: dict[str, list[str]], expected_key: str, default: str) -> str:
    if value is None or not nfkc(value):
        return default
    text = nfkc(value).casefold()
    for choice, names in words.items():
        if text == choice or text in (n.casefold() for n in names):
            return choice
    raise bad(field, nfkc(value), expected_key)


def parse_cycle(value: str | None, field: str = "billing_cycle") -> str:
    return _choice(value, field, _CYCLE_WORDS, "expected.cycle", "monthly")


def parse_holds(value: str | None, field: str = "holds_card_as") -> str:
    return _choice(value, field, _HOLDS_WORDS, "expected.holds", "unknown")


def parse_email(value: str | None, field: str) -> str | None:
    if value is None or not nfkc(value):
        return None
    text = nfkc(value)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise bad(field, text, "expected.email")
    return text.lower()


def parse_currency(value: str | None, field: str = "currency") -> str | None:
    if value is None or not nfkc(value):
        return None
    text = nfkc(value).upper()
    text = _SYMBOLS.get(text, text)
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise bad(field, text, "expected.currency")
    return text
