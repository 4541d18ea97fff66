"""Reading the values a person types or a spreadsheet holds: dates, amounts, cycles, MM/YY.

Japanese spreadsheets write 2025年12月1日, ¥1,490 and 月額; all of these are accepted, and full-width
digits count as digits. A value that cannot be read is an error naming the field, not a guess.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache
from decimal import Decimal, InvalidOperation

from cardguard.errors import UserError
from cardguard.shortened import shortened

# "unknown" is what a service gets when nothing says how often it is charged: a monthly default
# would be a guess shown as a fact.
CYCLES = ("monthly", "yearly", "weekly", "quarterly", "half-yearly", "other", "one-off", "unknown")
HOLDS = ("typed", "wallet", "unknown")
_CYCLE_WORDS = {
    "monthly": ["monthly", "month", "per month", "月額", "毎月", "月払い", "月", "1ヶ月", "1か月", "1ヵ月", "月次",
                "月間", "月1回", "月会費", "mensal"],
    "yearly": ["yearly", "annual", "annually", "year", "per year", "年額", "毎年", "年払い", "年", "1年", "年間",
               "年1回", "年次", "年契約", "年会費", "12ヶ月", "12か月", "12ヵ月"],
    "weekly": ["weekly", "week", "毎週", "週", "週額", "週払い"],
    "quarterly": ["quarterly", "quarter", "四半期", "3ヶ月", "3か月", "3ヵ月"],
    "half-yearly": ["half-yearly", "semiannual", "semi-annual", "半年", "半年払い", "6ヶ月", "6か月", "6ヵ月"],
    "one-off": ["one-off", "oneoff", "once", "one-time", "単発", "一回", "1回", "都度", "買い切り"],
    "other": ["other", "その他"],
    "unknown": ["unknown", "不明"],
}
_HOLDS_WORDS = {
    "typed": ["typed", "card", "カード番号", "カード", "手入力", "登録"],
    "wallet": ["wallet", "apple pay", "applepay", "google pay", "googlepay", "tokenized", "ウォレット"],
    "unknown": ["unknown", "不明", ""],
}
_SYMBOLS = {"¥": "JPY", "円": "JPY", "$": "USD", "€": "EUR", "£": "GBP", "₩": "KRW", "R$": "BRL", "HK$": "HKD",
            "S$": "SGD", "A$": "AUD", "C$": "CAD"}


def nfkc(text: str) -> str:
    """For reading a value (digits, codes, words to match), never for storing what the user wrote."""
    return unicodedata.normalize("NFKC", text).strip()


def as_written(text: str) -> str:
    """User text as it will be stored: "①ネット～" stays "①ネット～", only the ends trimmed."""
    return text.strip()


def bad(field: str, given: str, expected_key: str) -> UserError:
    from cardguard.wallet.guard import has_card_number

    shown = "…" if has_card_number(given) else shortened(given, 60)  # never echo a card number, even by mistake
    return UserError("error.bad_value", field=field, given=shown, expected_key=expected_key)


def parse_last4(value: str, field: str = "last4") -> str:
    text = nfkc(value)
    if not re.fullmatch(r"\d{4}", text):
        raise UserError("error.bad_last4", field=field)
    return text


_MASK = r"[*xX•●・＊✕×#]"


def card_reference(value: str) -> str:
    """What a card cell names: a masked number ("****-****-****-1005", "XXXX XXXX XXXX 1005") or
    "下4桁 1005" / "末尾1005" / "ending 1005" is the card's last four digits; anything else (a
    nickname, "1005") is passed on as written."""
    text = nfkc(value)
    masked = re.fullmatch(rf"(?:{_MASK}+[\s\-.]*)+(\d{{4}})", text)
    labelled = re.fullmatch(r"(?:下\s*4\s*桁|末尾\s*4?\s*桁?|ending(?:\s+in)?|last\s*4)\s*[:：]?\s*(\d{4})", text,
                            re.IGNORECASE)
    found = masked or labelled
    return found.group(1) if found else text


def parse_expiry(value: str | None, field: str = "expiry") -> str | None:
    if value is None or not nfkc(value):
        return None
    text = nfkc(value)
    found = re.fullmatch(r"(\d{1,2})\s*[/\-.]?\s*(\d{2}|\d{4})", text)
    if not found or not 1 <= int(found.group(1)) <= 12:
        raise bad(field, text, "expected.expiry")
    return f"{int(found.group(1)):02d}/{found.group(2)[-2:]}"


# A date outside these years is a typo or a spreadsheet's placeholder (1900-01-01), not a charge.
EARLIEST_YEAR = 1950
LATEST_YEARS_AHEAD = 20


def parse_date(value: str | None, field: str, *, earliest_year: int = EARLIEST_YEAR,
               today: date | None = None) -> date | None:
    if value is None or not nfkc(value):
        return None
    text = nfkc(value)
    found = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?", text)
    if found:
        try:
            parsed = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            parsed = None
        latest = (today or date.today()).year + LATEST_YEARS_AHEAD
        if parsed is not None and not earliest_year <= parsed.year <= latest:
            raise UserError("error.date_out_of_range", field=field, given=shortened(text, 40), earliest=earliest_year,
                            latest=latest)
        if parsed is not None:
            return parsed
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
    # Only plain decimal numbers: Decimal also reads "NaN", "Infinity" and "1e999", none of them a price.
    if not re.fullmatch(r"\d{1,15}(?:\.\d{1,6})?|\.\d{1,6}", number):
        raise bad(field, nfkc(value), "expected.amount")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise bad(field, nfkc(value), "expected.amount") from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise bad(field, nfkc(value), "expected.amount")
    return amount.quantize(Decimal("0.01")), currency


# The words cardguard itself shows for a value, in either language, read back as that value: what
# `services export` writes (and the web offers) imports again whichever language wrote it.
_CYCLE_LABELS = ("wallet.cycle_{}",)  # csv_cycle_unknown's words are the "unknown" entry's own
_HOLDS_LABELS = ("holder.holds_{}", "holder.csv_holds_{}")
SERVICE_STATUSES = ("active", "cancelled")
_STATUS_WORDS = {"cancelled": ["canceled", "解約", "解約済み"], "active": []}


def _labels(choice: str, keys: tuple[str, ...]) -> list[str]:
    from cardguard.i18n import LANGS, t

    return [t(key.format(choice.replace("-", "_")), lang) for key in keys for lang in LANGS]


def _choice(value: str | None, field: str, words: dict[str, list[str]], expected_key: str, default: str,
            labels: tuple[str, ...] = ()) -> str:
    if value is None or not nfkc(value):
        return default
    text = nfkc(value).casefold()
    for choice, names in words.items():
        if text == choice or text in (nfkc(n).casefold() for n in [*names, *_labels(choice, labels)]):
            return choice
    raise bad(field, nfkc(value), expected_key)


def parse_cycle(value: str | None, field: str = "billing_cycle") -> str:
    return _choice(value, field, _CYCLE_WORDS, "expected.cycle", "unknown", _CYCLE_LABELS)


def parse_holds(value: str | None, field: str = "holds_card_as") -> str:
    return _choice(value, field, _HOLDS_WORDS, "expected.holds", "unknown", _HOLDS_LABELS)


def parse_service_status(value: str | None) -> str:
    """A service's status cell: cancelled when it says so in either language, else active (a tracker's
    own words such as Wallos's "Yes" mean it is running)."""
    try:
        return _choice(value, "status", _STATUS_WORDS, "expected.status", "active", ("holder.csv_status_{}",))
    except UserError:
        return "active"


def parse_email(value: str | None, field: str) -> str | None:
    if value is None or not nfkc(value):
        return None
    text = nfkc(value)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise bad(field, text, "expected.email")
    return text.lower()


def parse_currency(value: str | None, field: str = "currency") -> str | None:
    """An ISO 4217 code (jpy, JPY) or a symbol (¥, 円); a word such as "yen" is refused with the code it
    most likely means, rather than stored as a code nobody uses ("YEN")."""
    if value is None or not nfkc(value):
        return None
    given = nfkc(value)
    text = _SYMBOLS.get(given, given).upper()
    if re.fullmatch(r"[A-Z]{3}", text) and text in _iso_codes():
        return text
    suggestion = _currency_named(given)
    if suggestion:
        raise UserError("error.currency_word", field=field, given=shortened(given, 40), code=suggestion)
    raise bad(field, given, "expected.currency")


@cache
def _iso_codes() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def _currency_named(word: str) -> str | None:
    """The one currency whose English or Japanese name is, or ends in, ``word`` ("yen", "日本円")."""
    from babel import Locale

    folded = word.casefold().rstrip("s")
    found = set()
    for locale in ("en", "ja"):
        for code, name in Locale.parse(locale).currencies.items():
            if code not in _iso_codes():
                continue
            lowered = name.casefold()
            if folded and (lowered == folded or lowered.endswith(" " + folded) or (locale == "ja" and lowered == folded)):
                found.add(code)
    # "dollar" names a dozen currencies: no guess then.
    return found.pop() if len(found) == 1 else None
