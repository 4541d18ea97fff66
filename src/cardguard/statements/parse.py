"""A statement file (bytes) into the charges it lists, with every row it skipped and why.

Pure: no file, no database. The layout is recognised by the file's header or first lines, never its
name. Rows that are not a merchant's charge (repayments, totals, footnotes, refunds, a card's block
heading) are skipped with a reason; a skipped row's content is never repeated, since a preamble can
hold the holder's name, bank account or masked card number."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from cardguard.errors import UserError
from cardguard.statements.layouts import FIELDS, REQUIRED, Layout, cell_key, cell_matches, known_layouts, mapped_layout

MAX_BYTES = 50 * 1024 * 1024
# A header is looked for in the first lines only: a preamble is a few lines, never hundreds.
HEADER_SEARCH_ROWS = 60
PROGRESS_EVERY = 2000

SKIP_REASONS = ("no_date", "no_merchant", "not_merchant", "refund", "no_amount", "bad_amount", "card_number",
                "card_heading", "other_section")


@dataclass(frozen=True)
class Charge:
    line: int
    charged_on: date
    merchant: str  # as written, without the padding statements put around it
    merchant_key: str
    amount_text: str  # as written
    amount: Decimal
    currency: str
    foreign_text: str | None = None  # "20.00 USD", as written

    @property
    def foreign(self) -> tuple[Decimal, str] | None:
        return foreign_amount(self.foreign_text)


@dataclass(frozen=True)
class Skipped:
    line: int
    reason: str  # one of SKIP_REASONS


@dataclass
class Statement:
    layout: Layout
    encoding: str
    digest: str  # sha256 of the file's bytes: the same file imported twice adds nothing
    charges: list[Charge] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def period(self) -> tuple[date, date] | None:
        if not self.charges:
            return None
        dates = [c.charged_on for c in self.charges]
        return min(dates), max(dates)


# ------------------------------------------------------------------------------------- names

_SUFFIX_AFTER_STAR = re.compile(r"\s*\*\s*(?=[A-Z0-9]*\d)[A-Z0-9]{3,}$")
_TRAILING_REFERENCE = re.compile(r"\s+#?\d{5,}$")
_PADDING = " \t\u3000\u00a0"


def as_written(text: str) -> str:
    """A merchant as the statement wrote it, without the (full-width) padding around it."""
    return text.strip(_PADDING + "\r\n")


def merchant_name(text: str) -> str:
    """A merchant as a service would be named: as written, without the per-charge suffix."""
    name = as_written(text)
    for _ in range(2):
        name = re.sub(r"\s*[*＊]\s*(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{3,}$", "", name)
        name = re.sub(r"\s+[#＃]?[0-9]{5,}$", "", name).strip(_PADDING)
    return name or as_written(text)


def merchant_key(text: str) -> str:
    """What makes two rows the same merchant: width, case and spaces aside, and without the suffix
    some merchants add per charge (NETFLIX.COM*M5A2B3C4, an order number)."""
    key = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().upper()
    for _ in range(2):
        key = _TRAILING_REFERENCE.sub("", _SUFFIX_AFTER_STAR.sub("", key)).strip()
    return key


# ----------------------------------------------------------------------------------- amounts

_NEGATIVE = re.compile(r"^[-−‐△▲]|^\((.*)\)$")


def amount_of(text: str) -> Decimal | None:
    """A yen amount as statements write it ("16,746", "¥2,189", "\\2,189", "-361,429", "1,234円");
    None when the cell holds no number."""
    value = unicodedata.normalize("NFKC", text).strip()
    value = value.replace("\\", "").replace("¥", "").replace("円", "").replace(",", "").replace(" ", "")
    negative = bool(_NEGATIVE.search(value))
    value = value.strip("()").lstrip("-−‐△▲")
    if not re.fullmatch(r"\d{1,12}(?:\.\d{1,2})?", value):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        return None
    return -amount if negative else amount


def foreign_amount(text: str | None) -> tuple[Decimal, str] | None:
    """"20.00 USD" as (20.00, "USD"); None when the cell is blank or not such an amount."""
    if not text:
        return None
    found = re.fullmatch(r"([\d,]{1,15}(?:\.\d{1,4})?)\s*([A-Z]{3})", unicodedata.normalize("NFKC", text).strip())
    if not found:
        return None
    return Decimal(found.group(1).replace(",", "")), found.group(2)


# ----------------------------------------------------------------------------------- reading

def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (a BOM is taken as a promise), else cp932 (Shift_JIS as
    issuers and Windows write it)."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError("error.spreadsheet_not_csv")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise UserError("statements.bad_utf8", line=data[:exc.start + 3].count(b"\n") + 1) from None
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UserError("statements.encoding")


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Every CSV row with the line it starts on."""
    if "\x00" in text:
        raise UserError("statements.not_text")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            rows.append((line, row))
    except csv.Error:
        raise UserError("statements.bad_csv", line=reader.line_num) from None
    return rows


def _blank(row: list[str]) -> bool:
    return not any(cell.strip(_PADDING) for cell in row)


def _after_marker(rows, marker: str | None):
    """The rows after a start marker (all rows when the layout has none); None when it is absent."""
    if marker is None:
        return rows
    for index, (_, row) in enumerate(rows):
        # The marker exactly, not a title that starts with it: what comes before is the bank account.
        if row and cell_key(row[0]) == cell_key(marker):
            return rows[index + 1:]
    return None


def _header_index(rows, wanted: tuple[str, ...]) -> int | None:
    for index, (_, row) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if all(any(cell_matches(name, cell) for cell in row) for name in wanted):
            return index
    return None


def _positions(layout: Layout, header: list[str]) -> dict[str, int]:
    out = {}
    for name, column in layout.columns:
        for position, cell in enumerate(header):
            if cell_matches(str(column), cell):
                out[name] = position
                break
    return out


def detect(rows) -> tuple[Layout, list, dict[str, int]] | None:
    """The layout whose header (or first line) the file has: the most specific one when several fit
    (the older Amex header is part of the current one). Returns the layout, its data rows and the
    position of each field."""
    best = None
    for layout in known_layouts():
        if layout.no_header:
            first = next((row for _, row in rows if not _blank(row)), None)
            if first is not None and layout.first_line and layout.first_line.search(",".join(first)):
                found = (len(layout.header) + 1, layout, rows[1:], dict(layout.columns))
            else:
                continue
        else:
            after = _after_marker(rows, layout.start_marker)
            if after is None:
                continue
            index = _header_index(after, layout.header)
            if index is None:
                continue
            found = (len(layout.header) + (1 if layout.start_marker else 0), layout, after[index + 1:],
                     _positions(layout, after[index][1]))
        if best is None or found[0] > best[0]:
            best = found
    return best[1:] if best else None


def _date(text: str, formats: tuple[str, ...]) -> date | None:
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        return None
    if "%Y/%m/%d" in formats and (slashed := _SLASHED.fullmatch(value)):
        # The common case, without strptime's cost (a statement of thousands of rows).
        try:
            parsed = date(*map(int, slashed.groups()))
        except ValueError:
            return None
        return parsed if 2000 <= parsed.year <= 2100 else None
    for fmt in formats:
        try:
            parsed = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if 2000 <= parsed.year <= 2100:
            return parsed
    return None


@cache
def _not_merchant_keys(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(merchant_key(word) for word in words)


_SLASHED = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")


def _cell(row: list[str], position: int | None) -> str:
    return row[position] if position is not None and position < len(row) else ""


def _charge(layout: Layout, positions: dict[str, int], line: int, row: list[str]) -> Charge | Skipped:
    from cardguard.wallet.guard import has_card_number

    if any(has_card_number(cell) for cell in row):
        return Skipped(line, "card_number")
    charged_on = _date(_cell(row, positions.get("date")), layout.date_formats)
    if charged_on is None:
        if layout.no_header and re.search(r"様\s*$", row[0].strip(_PADDING)):
            return Skipped(line, "card_heading")
        return Skipped(line, "no_date")
    merchant = as_written(_cell(row, positions.get("merchant")))
    if not merchant:
        return Skipped(line, "no_merchant")
    key = merchant_key(merchant)
    if key.startswith(_not_merchant_keys(layout.not_merchants)):
        return Skipped(line, "not_merchant")
    amount_text = as_written(_cell(row, positions.get("amount")))
    amount = amount_of(amount_text)
    if amount is None:
        return Skipped(line, "no_amount" if not amount_text else "bad_amount")
    if amount < 0:
        return Skipped(line, "refund")
    if amount == 0:
        return Skipped(line, "no_amount")
    foreign_text = as_written(_cell(row, positions.get("foreign"))) or None
    return Charge(line, charged_on, merchant, key, amount_text, amount, "JPY",
                  foreign_text if foreign_amount(foreign_text) else None)


def parse_statement(data: bytes, *, mapping: dict[str, str] | None = None,
                    progress: Callable[[int, int], None] | None = None) -> Statement:
    """The charges of one statement file. ``mapping`` (field -> column) describes a layout this
    version does not know; ``progress(done, total)`` is told how far the rows are read."""
    if len(data) > MAX_BYTES:
        raise UserError("statements.too_large", limit=MAX_BYTES // (1024 * 1024))
    text, encoding = decode(data)
    rows = _rows(text)
    if mapping:
        missing = [name for name in REQUIRED if name not in mapping]
        unknown = [name for name in mapping if name not in FIELDS]
        if unknown or missing:
            raise UserError("statements.bad_mapping", fields=", ".join(FIELDS), required=", ".join(REQUIRED))
        layout = mapped_layout(mapping)
        index = _header_index(rows, layout.header)
        if index is None:
            raise UserError("statements.mapped_columns_missing", columns=", ".join(mapping.values()))
        found = (layout, rows[index + 1:], _positions(layout, rows[index][1]))
    else:
        found = detect(rows)
        if found is None:
            raise unknown_layout()
    layout, body, positions = found
    statement = Statement(layout, encoding, hashlib.sha256(data).hexdigest())
    stopped = False
    for done, (line, row) in enumerate(body, 1):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, len(body))
        if _blank(row):
            continue
        if not stopped and row and any(cell_key(row[0]).startswith(cell_key(m)) for m in layout.stop_markers):
            stopped = True
        if stopped:
            statement.skipped.append(Skipped(line, "other_section"))
            continue
        result = _charge(layout, positions, line, row)
        (statement.charges if isinstance(result, Charge) else statement.skipped).append(result)
    if progress:
        progress(len(body), len(body))
    return statement


def unknown_layout() -> UserError:
    from cardguard.i18n import Text

    known = Text(ja="、".join(layout.name("ja") for layout in known_layouts()),
                 en="; ".join(layout.name("en") for layout in known_layouts()))
    return UserError("statements.unknown_layout", known=known)


def refuse_statement(head: str) -> None:
    """Raise when ``head`` (the start of a file given as a list of services) is a card statement:
    the holder is pointed to `statements import`, and nothing of the file is repeated (a statement's
    first lines hold the holder's name, a masked number or a bank account)."""
    if "\n" in head:
        head = head[:head.rindex("\n") + 1]  # a whole line at the end, not one cut mid-quote
    try:
        found = detect(_rows(head))
    except UserError:
        return
    if found is not None:
        from cardguard.i18n import Text

        layout = found[0]
        raise UserError("statements.is_a_statement", layout=Text(ja=layout.name("ja"), en=layout.name("en")))
