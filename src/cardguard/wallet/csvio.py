"""Services in and out of spreadsheets, as Excel, Google Sheets and Numbers save them, and from
Wallos (the self-hosted subscription tracker).

Import is all or nothing: every bad row is reported with its line number and the reason, and
nothing is written unless the whole file is valid (or the user asks to skip bad rows). A file is
read as a stream, row by row, so a 100,000-row export takes the memory of one row; the rows are
written in batches inside one transaction, which the caller rolls back on any error.

Importing the same file again updates the services it already brought in: a service is the same
when its name (width, case and spaces aside) and its card are the same. Where the registry holds
several such services (a second subscription added on purpose), a row is written into one of them
only when the file says which (the id column export writes); otherwise it is refused, never guessed,
so one row's values never land in another service.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardguard.directory.lookup import normalize
from cardguard.errors import AsWritten, UserError
from cardguard.i18n import Lang, t
from cardguard.store.models import Service
from cardguard.wallet import registry
from cardguard.wallet import values as v
from cardguard.wallet.guard import has_card_number, looks_like_security_code_field, refuse_card_data

EXPORT_COLUMNS = ("name", "payment_url", "card_last4", "billing_cycle", "amount", "currency", "next_charge",
                  "last_charged_on", "alias_email", "category", "notes", "holds_card_as", "card_updated_on", "status", "id")

_HEADER_NAMES = {
    "name": ["name", "service", "servicename", "サービス名", "サービス", "名前", "名称", "契約名", "サブスク名"],
    "payment_url": ["paymenturl", "url", "支払い設定url", "支払設定url", "設定url", "支払い設定ページ", "paymentsettings",
                    "link", "リンク"],
    "card": ["card", "cardlast4", "カード", "カード下4桁", "下4桁", "支払いカード", "利用カード", "cardnickname",
             "カード番号", "cardnumber", "カード番号下4桁", "末尾4桁"],
    "billing_cycle": ["billingcycle", "cycle", "請求周期", "支払いサイクル", "周期", "支払い周期", "課金周期", "frequency",
                      "paymentcycle"],
    "amount": ["amount", "price", "金額", "料金", "価格", "請求額", "月額", "年額", "年会費", "月会費", "monthlyprice",
               "yearlyprice", "annualprice", "annualfee", "monthlyamount", "yearlyamount"],
    "currency": ["currency", "通貨"],
    "next_charge": ["nextcharge", "nextpayment", "次回請求日", "次回支払日", "次回引き落とし日", "次回更新日", "renewal"],
    "last_charged_on": ["lastchargedon", "lastcharged", "最終請求日", "前回請求日"],
    "alias_email": ["aliasemail", "email", "alias", "メールアドレス", "登録メール", "登録メールアドレス"],
    "category": ["category", "categpry", "カテゴリ", "カテゴリー", "分類"],
    "notes": ["notes", "note", "メモ", "備考"],
    "holds_card_as": ["holdscardas", "holds", "登録方法", "保存方法"],
    "card_updated_on": ["cardupdatedon", "カード更新日"],
    "status": ["status", "状態"],
    # cardguard's own number for the service, as export writes it: the row is that service.
    "id": ["id", "cardguardid", "serviceid", "cardguard管理番号", "管理番号"],
}
# An amount column whose header says how often ("年額", "monthly price") says the cycle too.
_CYCLE_OF_AMOUNT_HEADER = {normalize(name): cycle for cycle, names in {
    "yearly": ["年額", "年会費", "yearlyprice", "annualprice", "annualfee", "yearlyamount"],
    "monthly": ["月額", "月会費", "monthlyprice", "monthlyamount"],
}.items() for name in names}
_LOOKUP = {normalize(alias): name for name, aliases in _HEADER_NAMES.items() for alias in aliases}
FIELDS = tuple(_HEADER_NAMES)

# The labels registry errors use, back to the field a column was mapped to.
_FIELD_OF_LABEL = {"next-charge": "next_charge", "last-charged": "last_charged_on", "card-updated": "card_updated_on",
                   "url": "payment_url", "alias": "alias_email"}
PREVIEW_ROWS = 200  # rows echoed back; a 100,000-row file is summarised, not printed
BATCH = 1000
MAX_JSON_DEPTH = 20
# What a spreadsheet would read as a formula (OWASP, CSV injection), and the quote that defuses it.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


@dataclass
class ImportResult:
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (line, the service as stored); the first rows
    errors: list[tuple[int, str]] = field(default_factory=list)
    written: int = 0  # added + updated
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    total: int = 0  # good rows in the file
    without_card: list[str] = field(default_factory=list)  # names of services that hold no known card
    without_card_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------ reading

def _open_binary(data: bytes | IO[bytes]) -> IO[bytes]:
    return io.BytesIO(data) if isinstance(data, bytes | bytearray) else data


def _line_of(prefix: bytes) -> int:
    return prefix.count(b"\n") + 1


def sniff_encoding(handle: IO[bytes]) -> str:
    """utf-8-sig, utf-8 or cp932 (Shift_JIS as Windows Excel writes it), read through once in chunks."""
    start = handle.read(8)
    handle.seek(0)
    if start.startswith(b"PK\x03\x04") or start.startswith(b"\xd0\xcf\x11\xe0"):
        # .xlsx and .numbers are zip files, old .xls an OLE file.
        raise UserError("error.spreadsheet_not_csv")
    candidates = ["utf-8-sig"] if start.startswith(b"\xef\xbb\xbf") else ["utf-8", "cp932"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        lines = 1
        try:
            while chunk := handle.read(1 << 16):
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            if encoding == "utf-8-sig":
                # A BOM promises UTF-8: bytes that are not are a broken file, not Shift_JIS.
                handle.seek(0)
                raise UserError("error.csv_bad_bytes", line=lines + _line_of(chunk[:exc.start]) - 1) from None
            handle.seek(0)
            continue
        handle.seek(0)
        return encoding
    raise UserError("error.csv_encoding")


def decode(data: bytes) -> str:
    return data.decode(sniff_encoding(io.BytesIO(data)))


def _text_stream(handle: IO[bytes], encoding: str) -> IO[str]:
    return io.TextIOWrapper(handle, encoding=encoding, newline="")


def read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    header, rows = _csv_rows(io.StringIO(text, newline=""))
    return header, list(rows)


def _csv_rows(stream: IO[str]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    first = stream.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    lines = iter([first])

    def source():
        yield from lines
        yield from stream

    reader = csv.reader(source(), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise UserError("error.csv_empty") from None
    except csv.Error as exc:
        raise UserError("error.csv_broken", line=1, **_parser_reason(exc)) from None
    if not any(cell.strip() for cell in header):
        # A file of blank lines, or only a BOM, or a blank first line: no header row names any column.
        raise UserError("error.csv_no_header")

    def rows():
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield reader.line_num, row
        except csv.Error as exc:
            raise UserError("error.csv_broken", line=reader.line_num, **_parser_reason(exc)) from None

    return header, rows()


# What Python's csv and json parsers say (in English only), as message keys in both languages.
_PARSER_REASONS = (("line contains nul", "nul"), ("unexpected end of data", "open_quote"),
                   ("expected after", "quote_inside"), ("field larger than field limit", "cell_too_long"),
                   ("new-line character seen in unquoted field", "newline"), ("unterminated string", "open_quote"),
                   ("expecting value", "json_value"), ("expecting property name", "json_name"),
                   ("delimiter", "json_comma"), ("extra data", "json_extra"), ("invalid control character", "json_control"),
                   ("invalid \\escape", "json_escape"))


def _parser_reason(error: Exception) -> dict:
    text = (error.msg if isinstance(error, json.JSONDecodeError) else str(error)).casefold()
    key = next((key for needle, key in _PARSER_REASONS if needle in text), "other")
    return {"reason_key": f"parsereason.{key}"}


def map_columns(header: list[str], overrides: dict[str, str]) -> tuple[dict[int, str], list[str]]:
    wanted = {normalize(k): v for k, v in overrides.items()}
    for target in wanted.values():
        if target not in FIELDS:
            raise UserError("error.map_unknown_field", field=target, choices=", ".join(FIELDS))
    mapping: dict[int, str] = {}
    ignored = []
    for index, name in enumerate(header):
        key = normalize(name)
        target = wanted.get(key) or _LOOKUP.get(key)
        if looks_like_security_code_field(name):
            raise UserError("error.csv_security_column", column=name)
        if target and target not in mapping.values():
            mapping[index] = target
        elif name.strip():
            ignored.append(name)
    if "name" not in mapping.values():
        raise UserError("error.csv_no_name_column", columns=", ".join(header))
    return mapping, ignored


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise UserError("error.json_not_a_value")
    return str(value)


def _wallos_row(item: object) -> list[str]:
    """Wallos exports Name, Next Payment, Category, Payment Method, Price, Notes, URL, State."""
    if not isinstance(item, dict):
        raise UserError("error.json_entry_not_object")
    state = _cell(item.get("State") or item.get("Active"))
    return [_cell(item.get("Name")), _cell(item.get("Next Payment")), _cell(item.get("Category") or item.get("Categpry")),
            _cell(item.get("Payment Method")), _cell(item.get("Price")), _cell(item.get("Notes")), _cell(item.get("URL")),
            "cancelled" if state in ("Disabled", "No") else "active"]


_WALLOS_HEADER = ["name", "next_charge", "category", "card", "amount", "notes", "payment_url", "status"]


def _cardguard_row(item: object) -> list[str]:
    if not isinstance(item, dict):
        raise UserError("error.json_entry_not_object")
    card = item.get("card") or {}
    if not isinstance(card, dict):
        raise UserError("error.json_entry_not_object")
    return [_cell(card.get("last4")) if col == "card_last4" else _cell(item.get(col)) for col in EXPORT_COLUMNS]


def _depth_ok(text: str) -> bool:
    # Counted before parsing: json.loads recurses once per level, and a file of ten thousand "[" would
    # exhaust Python's stack. Brackets inside strings count too, which only errs on the safe side.
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return False
        elif char in "]}":
            depth -= 1
    return True


def _json_rows(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]], str]:
    if not _depth_ok(text):
        raise UserError("error.json_too_deep", limit=MAX_JSON_DEPTH)
    try:
        # Numbers stay text: an integer of 5,000 digits is then just a value to refuse, and NaN a word.
        data = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise UserError("error.json_broken", line=exc.lineno, **_parser_reason(exc)) from None
    except RecursionError:
        raise UserError("error.json_too_deep", limit=MAX_JSON_DEPTH) from None
    if isinstance(data, dict) and isinstance(data.get("subscriptions"), list):
        items, to_row, header, shape = data["subscriptions"], _wallos_row, _WALLOS_HEADER, "wallos"
    elif isinstance(data, dict) and isinstance(data.get("services"), list):
        items, to_row, header, shape = data["services"], _cardguard_row, list(EXPORT_COLUMNS), "cardguard"
    else:
        raise UserError("error.wallos_shape")

    def rows():
        for number, item in enumerate(items, start=1):
            try:
                yield number, to_row(item)
            except UserError as error:
                yield number, error  # reported as that entry's error
    return header, rows(), shape


# --------------------------------------------------------------------------------- the import

def unquote_formula(cell: str) -> str:
    """The inverse of export's neutralising quote, so an export imports back as it was."""
    return cell[1:] if cell.startswith("'") and _FORMULA_START.match(cell[1:]) else cell


class _Cards:
    """Card references resolved once per import, not once per row."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[str, int | UserError] = {}
        self.shown: dict[int, dict] = {}

    def resolve(self, ref: str) -> int:
        key = v.card_reference(ref)
        if key not in self.known:
            try:
                card = registry.find_card(self.session, key)
                self.known[key] = card.id
                self.shown[card.id] = {"id": card.id, "nickname": card.nickname, "last4": card.last4}
            except UserError as error:
                self.known[key] = error
        found = self.known[key]
        if isinstance(found, UserError):
            raise found
        return found

    def remember(self, card) -> None:
        if card is not None:
            self.shown[card.id] = {"id": card.id, "nickname": card.nickname, "last4": card.last4}

    def is_card(self, ref: str) -> bool:
        try:
            self.resolve(ref)
            return True
        except UserError:
            return False


def _same_service_key(name: str, card_id: int | None) -> tuple[str, int | None]:
    return normalize(name), card_id


def import_services(session: Session, data: bytes | IO[bytes], *, overrides: dict[str, str] | None = None,
                    skip_bad_rows: bool = False, dry_run: bool = False, lang: Lang = "en",
                    default_card: str | None = None,
                    progress: Callable[[int], None] | None = None) -> ImportResult:
    """``default_card``: the card of every row whose card cell is empty. ``progress`` is told how many
    bytes have been read so far. On any error nothing stays written: the caller's transaction is
    rolled back (as Store.session does when this raises)."""
    handle = _open_binary(data)
    encoding = sniff_encoding(handle)
    stream = _text_stream(handle, encoding)
    cards = _Cards(session)
    default_card_id = cards.resolve(default_card) if default_card else None
    fresh: dict[tuple, dict] = {}  # services this batch adds, written together at its end
    head = stream.read(1)
    while head and head.isspace():
        head = stream.read(1)
    if head in ("{", "["):
        header, rows, shape = _json_rows(head + stream.read())
    else:
        stream.seek(0)
        # A card statement is not a list of services: imported here, every purchase would become one.
        from cardguard.statements.parse import refuse_statement

        refuse_statement(stream.read(1 << 16))
        stream.seek(0)
        header, rows = _csv_rows(stream)
        shape = "csv"
        if {"Name", "Next Payment", "Price"} <= {h.strip() for h in header}:
            positions = [h.strip() for h in header]
            plain = rows
            rows = ((line, _wallos_row(dict(zip(positions, row)))) for line, row in plain)
            header, shape = _WALLOS_HEADER, "wallos"
    mapping, ignored = map_columns(header, overrides or {})
    implied_cycle = next((_CYCLE_OF_AMOUNT_HEADER[normalize(header[i])] for i, target in mapping.items()
                          if target == "amount" and normalize(header[i]) in _CYCLE_OF_AMOUNT_HEADER), None)
    result = ImportResult(ignored_columns=ignored)
    column_of = {target: header[index] for index, target in mapping.items() if index < len(header)}
    # Every service of a name and card, not the last one seen: a key may name several, and a row
    # must never be written into one of them by chance.
    existing: dict[tuple, list] = {}
    for service_id, name, card_id in session.execute(select(Service.id, Service.name, Service.card_id)
                                                     .order_by(Service.id)):
        existing.setdefault(_same_service_key(name, card_id), []).append(service_id)
    claimed: set[int] = set()  # services a row of this file already stands for
    pending = 0
    for line, row in rows:
        if progress is not None and line % 500 == 0:
            progress(handle.tell())
        raw: dict[str, str | None] = {}
        try:
            if isinstance(row, UserError):
                raise row
            row = [unquote_formula(cell) for cell in row]
            for index, cell in enumerate(row):
                if has_card_number(cell):
                    refuse_card_data(header[index] if index < len(header) else "?", cell)
            for index, target in mapping.items():
                cell = row[index].strip() if index < len(row) else ""
                if cell:
                    raw[target] = cell
            status = raw.pop("status", None)
            own_id = raw.pop("id", None)
            if shape == "wallos" and raw.get("card") and not cards.is_card(raw["card"]):
                # Wallos payment methods ("Apple Pay", "PayPal") are not cards in the registry.
                method = raw.pop("card")
                raw.setdefault("notes", method)
                if "pay" in method.lower():
                    raw["holds_card_as"] = "wallet"
            if implied_cycle and "billing_cycle" not in raw and "amount" in raw:
                raw["billing_cycle"] = implied_cycle
            card_ref = raw.pop("card", None)
            fields = registry.service_fields(session, raw)
            named = _named_service(session, own_id, fields["name"], card_ref)
            if named is not None:
                fields["card_id"] = named.card_id
                cards.remember(named.card)
            else:
                fields["card_id"] = cards.resolve(card_ref) if card_ref else default_card_id
            if status and v.parse_service_status(status) == "cancelled":
                fields["status"] = "cancelled"
            key = _same_service_key(fields["name"], fields["card_id"])
            outcome = _add_or_update(session, existing, key, fields, dry_run, fresh, named=named, claimed=claimed)
        except UserError as error:
            # Name the column as the user's file names it, not cardguard's field.
            named = _FIELD_OF_LABEL.get(error.values.get("field"), error.values.get("field"))
            if named in column_of:
                error.values["field"] = AsWritten(column_of[named])
            message = error.message(lang)
            if error.details:
                message += " " + ", ".join(error.details_in(lang))
            result.errors.append((line, message))
            continue
        result.total += 1
        setattr(result, outcome, getattr(result, outcome) + 1)
        if fields["card_id"] is None and fields.get("status", "active") == "active":
            result.without_card_count += 1
            if len(result.without_card) < PREVIEW_ROWS:
                result.without_card.append(fields["name"])
        if len(result.rows) < PREVIEW_ROWS:
            result.rows.append((line, _preview(cards, fields, outcome)))
        pending += 1
        if pending >= BATCH and not dry_run:
            # Written in batches and let go of: memory stays that of one batch, however long the file.
            _write(session, fresh)
            session.expunge_all()
            pending = 0
    if progress is not None:
        progress(handle.tell())
    if result.errors and not skip_bad_rows:
        shown_errors = result.errors[:PREVIEW_ROWS]
        raise UserError("error.import_invalid", count=len(result.errors),
                        details=[t("wallet.bad_row", lang, line=line, message=message)
                                 for line, message in shown_errors])
    if not dry_run:
        _write(session, fresh)
    result.written = 0 if dry_run else result.added + result.updated
    return result


_COMPARED = ("payment_url", "billing_cycle", "amount", "currency", "next_charge", "last_charged_on", "alias_email",
             "category", "notes", "holds_card_as", "card_updated_on", "status")


_SEEN = object()  # a dry run's stand-in for a service the file adds
_WRITTEN = object()  # added by an earlier batch of this import
_COLUMNS = ("name", "payment_url", "card_id", "billing_cycle", "amount", "currency", "next_charge", "last_charged_on",
            "alias_email", "category", "notes", "holds_card_as", "card_updated_on", "status")


def _write(session: Session, fresh: dict) -> None:
    """The batch's new services in one statement: the ORM's per-object work is most of an import's time."""
    from sqlalchemy import insert

    from cardguard.store.models import utcnow

    session.flush()
    if fresh:
        now = utcnow()
        session.execute(insert(Service), [{**{name: None for name in _COLUMNS}, "status": "active",
                                           "created_at": now, "updated_at": now, **fields}
                                          for fields in fresh.values()])
    fresh.clear()


def _named_service(session: Session, own_id: str | None, name: str, card_ref: str | None) -> Service | None:
    """The service an exported row names by its id, if that service has the row's name and card:
    an id from another profile, or a row renamed since, names nothing and is matched by name."""
    if not own_id:
        return None
    service = registry.by_id(session, Service, own_id)
    if service is None or normalize(service.name) != normalize(name):
        return None
    card = service.card
    if card is None:
        return service if not card_ref else None
    ref = v.card_reference(card_ref) if card_ref else ""
    return service if ref in (card.last4, f"#{card.id}") or normalize(ref) == normalize(card.nickname) else None


def _add_or_update(session: Session, existing: dict, key: tuple, fields: dict, dry_run: bool, fresh: dict, *,
                   named: Service | None = None, claimed: set[int] | None = None) -> str:
    claimed = set() if claimed is None else claimed
    known = existing.get(key)
    if named is not None:
        claimed.add(named.id)
        return _update(named, fields, dry_run)
    if known is None:
        existing[key] = [_SEEN if dry_run else _WRITTEN]
        if not dry_run:
            fresh[key] = dict(fields)
        return "added"
    if known == [_SEEN]:
        return "unchanged"
    if known == [_WRITTEN]:
        if key in fresh:
            # The same service twice in one file: the later row is what the file means.
            before = fresh[key]
            merged = {**before, **{name: value for name, value in _changes_of(before, fields).items()}}
            fresh[key] = merged
            return "updated" if merged != before else "unchanged"
        service = _find_written(session, key)
        return "unchanged" if service is None else _update(service, fields, dry_run)
    services = [found for found in (session.get(Service, service_id) for service_id in known) if found is not None]
    service = _the_one_meant(services, fields, claimed)
    claimed.add(service.id)
    return _update(service, fields, dry_run)


def _the_one_meant(services: list[Service], fields: dict, claimed: set[int]) -> Service:
    """Among the services of one name and card, the one a row stands for, or an error saying the
    file does not tell: several candidates are narrowed by status, then by being the same as the
    row already (a re-import of an export without ids), never by order."""
    if len(services) == 1:
        return services[0]
    wanted = fields.get("status", "active")
    of_status = [s for s in services if s.status == wanted]
    if len(of_status) == 1:
        return of_status[0]
    same = [s for s in of_status or services if not _changes(s, fields)]
    if same:
        return next((s for s in same if s.id not in claimed), same[0])
    card = services[0].card
    where = {"card": f"****{card.last4}"} if card else {"card_key": "holder.no_card_where"}
    raise UserError("error.import_ambiguous", name=fields["name"], ids=", ".join(f"#{s.id}" for s in services),
                    **where)


def _update(service: Service, fields: dict, dry_run: bool) -> str:
    if dry_run:
        return "updated" if _changes(service, fields) else "unchanged"
    return "updated" if _apply(service, fields) else "unchanged"


def _find_written(session: Session, key: tuple) -> Service | None:
    name, card_id = key
    query = select(Service).where(Service.card_id == card_id if card_id is not None else Service.card_id.is_(None))
    return next((s for s in session.scalars(query.order_by(Service.id.desc())) if normalize(s.name) == name), None)


def _changes_of(current: dict, fields: dict) -> dict:
    return {name: fields[name] for name in _COMPARED
            if name in fields and not (name in ("billing_cycle", "holds_card_as") and fields[name] == "unknown")
            and _differs(current.get(name), fields[name])}


def _changes(service: Service, fields: dict) -> dict:
    # A column the file leaves empty keeps what the registry had; "unknown" says nothing new.
    return {name: fields[name] for name in _COMPARED
            if name in fields and not (name in ("billing_cycle", "holds_card_as") and fields[name] == "unknown")
            and _differs(getattr(service, name), fields[name])}


def _differs(old: object, new: object) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (None if old is None else Decimal(old)) != (None if new is None else Decimal(new))
    return old != new


def _apply(service: Service, fields: dict) -> bool:
    changes = _changes(service, fields)
    for name, value in changes.items():
        setattr(service, name, value)
    return bool(changes)


def _preview(cards: _Cards, fields: dict, outcome: str) -> dict:
    from cardguard.wallet.render import amount_text

    card = cards.shown.get(fields["card_id"]) if fields.get("card_id") else None
    preview = {name: fields.get(name) for name in ("name", "payment_url", "billing_cycle", "currency",
                                                     "next_charge", "last_charged_on", "alias_email", "category",
                                                     "notes", "holds_card_as", "card_updated_on")}
    amount = fields.get("amount")
    preview.update({
        "amount": str(amount) if amount is not None else None, "amount_text": amount_text(amount, fields.get("currency")),
        "status": fields.get("status", "active"), "outcome": outcome,
        "card": card,
    })
    return preview


# --------------------------------------------------------------------------------- the export

def neutralize(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading quote (OWASP's CSV-injection advice);
    import removes it again, so "-500" or "+81 3 ..." in a note comes back as written."""
    return "'" + cell if _FORMULA_START.match(cell) else cell


def _cycle_word(cycle: str, lang: Lang) -> str:
    # English words are the codes themselves; "unknown" gets a CSV word of its own (not "cycle not given").
    return t("holder.csv_cycle_unknown", lang) if cycle == "unknown" else t(f"wallet.cycle_{cycle.replace('-', '_')}", lang)


def export_csv(services: list[Service], lang: Lang = "en") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([t(f"csvhead.{column}", lang) for column in EXPORT_COLUMNS])
    for service in services:
        # Values in the reader's words (毎月, 解約済み), as the headers are: import reads both languages' words back.
        writer.writerow([neutralize(cell) for cell in (
            service.name, service.payment_url or "", service.card.last4 if service.card else "",
            _cycle_word(service.billing_cycle, lang),
            "" if service.amount is None else str(service.amount), service.currency or "",
            str(service.next_charge or ""), str(service.last_charged_on or ""), service.alias_email or "",
            service.category or "", service.notes or "", t(f"holder.csv_holds_{service.holds_card_as}", lang),
            str(service.card_updated_on or ""), t(f"holder.csv_status_{service.status}", lang), str(service.id),
        )])
    # The BOM is what makes Excel read UTF-8 (and so Japanese) correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
