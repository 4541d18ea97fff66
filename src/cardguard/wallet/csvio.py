"""Services in and out of spreadsheets, as Excel, Google Sheets and Numbers save them, and from
Wallos (the self-hosted subscription tracker).

Import is all or nothing: every bad row is reported with its line number and the reason, and
nothing is written unless the whole file is valid (or the user asks to skip bad rows).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from cardguard.directory.lookup import normalize
from cardguard.errors import UserError
from cardguard.i18n import Lang, t
from cardguard.store.models import Card, Service
from cardguard.wallet import registry
from cardguard.wallet.guard import has_card_number, looks_like_security_code_field, refuse_card_data
from cardguard.wallet.render import service_json

EXPORT_COLUMNS = ("name", "payment_url", "card_last4", "billing_cycle", "amount", "currency", "next_charge",
                  "last_charged_on", "alias_email", "category", "notes", "holds_card_as", "card_updated_on", "status")

_HEADER_NAMES = {
    "name": ["name", "service", "servicename", "サービス名", "サービス", "名前", "名称", "契約名", "サブスク名"],
    "payment_url": ["paymenturl", "url", "支払い設定url", "支払設定url", "設定url", "支払い設定ページ", "paymentsettings",
                    "link", "リンク"],
    "card": ["card", "cardlast4", "カード", "カード下4桁", "下4桁", "支払いカード", "利用カード", "cardnickname"],
    "billing_cycle": ["billingcycle", "cycle", "請求周期", "支払いサイクル", "周期", "支払い周期", "課金周期", "frequency",
                      "paymentcycle"],
    "amount": ["amount", "price", "金額", "料金", "価格", "請求額"],
    "currency": ["currency", "通貨"],
    "next_charge": ["nextcharge", "nextpayment", "次回請求日", "次回支払日", "次回引き落とし日", "次回更新日", "renewal"],
    "last_charged_on": ["lastchargedon", "lastcharged", "最終請求日", "前回請求日"],
    "alias_email": ["aliasemail", "email", "alias", "メールアドレス", "登録メール", "登録メールアドレス"],
    "category": ["category", "categpry", "カテゴリ", "カテゴリー", "分類"],
    "notes": ["notes", "note", "メモ", "備考"],
    "holds_card_as": ["holdscardas", "holds", "登録方法", "保存方法"],
    "card_updated_on": ["cardupdatedon", "カード更新日"],
    "status": ["status", "状態"],
}
_LOOKUP = {normalize(alias): name for name, aliases in _HEADER_NAMES.items() for alias in aliases}
FIELDS = tuple(_HEADER_NAMES)


@dataclass
class ImportResult:
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (line, the service as it would be stored)
    errors: list[tuple[int, str]] = field(default_factory=list)
    written: int = 0
    ignored_columns: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")  # Shift_JIS as Windows Excel writes it
    except UnicodeDecodeError:
        raise UserError("error.csv_encoding") from None


def read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise UserError("error.csv_empty") from None
    except csv.Error as exc:
        raise UserError("error.csv_broken", line=1, reason=str(exc)) from None
    rows = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise UserError("error.csv_broken", line=reader.line_num, reason=str(exc)) from None
    return header, rows


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


def _wallos_rows(items: list[dict]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Wallos exports Name, Next Payment, Category, Payment Method, Price, Notes, URL, State."""
    header = ["name", "next_charge", "category", "card", "amount", "notes", "payment_url", "status"]
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise UserError("error.wallos_shape")
        method = str(item.get("Payment Method") or "")
        state = str(item.get("State") or item.get("Active") or "")
        rows.append((number, [
            str(item.get("Name") or ""), str(item.get("Next Payment") or ""),
            str(item.get("Category") or item.get("Categpry") or ""), method,
            str(item.get("Price") or ""), str(item.get("Notes") or ""), str(item.get("URL") or ""),
            "cancelled" if state in ("Disabled", "No") else "active",
        ]))
    return header, rows


def _json_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError("error.json_broken", line=exc.lineno, reason=exc.msg) from None
    if isinstance(data, dict) and isinstance(data.get("subscriptions"), list):
        header, rows = _wallos_rows(data["subscriptions"])
        return header, rows, "wallos"
    if isinstance(data, dict) and isinstance(data.get("services"), list):
        rows = []
        for number, item in enumerate(data["services"], start=1):
            card = item.get("card") or {}
            rows.append((number, [str(item.get(col) if col != "card_last4" else card.get("last4") or "")
                                  if item.get(col) is not None or col == "card_last4" else "" for col in EXPORT_COLUMNS]))
        return list(EXPORT_COLUMNS), rows, "cardguard"
    raise UserError("error.wallos_shape")


def import_services(session: Session, data: bytes, *, overrides: dict[str, str] | None = None,
                    skip_bad_rows: bool = False, dry_run: bool = False, lang: Lang = "en") -> ImportResult:
    text = decode(data)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        header, rows, shape = _json_rows(stripped)
    else:
        header, rows = read_rows(text)
        shape = "csv"
        if {"Name", "Next Payment", "Price"} <= set(h.strip() for h in header):
            items = [dict(zip([h.strip() for h in header], row)) for _, row in rows]
            lines = [line for line, _ in rows]
            header, wallos_rows = _wallos_rows(items)
            rows = [(line, row) for line, (_, row) in zip(lines, wallos_rows)]
            shape = "wallos"
    mapping, ignored = map_columns(header, overrides or {})
    result = ImportResult(ignored_columns=ignored)
    column_of = {target: header[index] for index, target in mapping.items() if index < len(header)}
    pending: list[Service] = []
    for line, row in rows:
        raw: dict[str, str | None] = {}
        try:
            for index, cell in enumerate(row):
                if has_card_number(cell):
                    refuse_card_data(header[index] if index < len(header) else "?", cell)
            for index, target in mapping.items():
                cell = row[index].strip() if index < len(row) else ""
                if cell:
                    raw[target] = cell
            status = raw.pop("status", None)
            if shape == "wallos" and raw.get("card") and not _is_card_ref(session, raw["card"]):
                # Wallos payment methods ("Apple Pay", "PayPal") are not cards in the registry.
                method = raw.pop("card")
                raw.setdefault("notes", method)
                if "pay" in method.lower():
                    raw["holds_card_as"] = "wallet"
            fields = registry.service_fields(session, raw)
            if status and normalize(status) in ("cancelled", "canceled", "解約", "解約済み"):
                fields["status"] = "cancelled"
            service = Service(**fields)
            preview = service_json(service)
            if service.card_id:
                # Not service.card = ...: that would cascade the row into the session even on a dry run.
                card = session.get(Card, service.card_id)
                preview["card"] = {"id": card.id, "nickname": card.nickname, "last4": card.last4}
            pending.append(service)
            result.rows.append((line, preview))
        except UserError as error:
            # Name the column as the user's file names it, not cardguard's field.
            if error.values.get("field") in column_of:
                error.values["field"] = column_of[error.values["field"]]
            result.errors.append((line, error.message(lang)))
    if result.errors and not skip_bad_rows:
        raise UserError("error.import_invalid", count=len(result.errors),
                        details=[t("wallet.bad_row", lang, line=line, message=message)
                                 for line, message in result.errors])
    if not dry_run:
        session.add_all(pending)
        session.flush()
        result.written = len(pending)
    return result


def _is_card_ref(session: Session, ref: str) -> bool:
    try:
        registry.find_card(session, ref)
        return True
    except UserError:
        return False


def export_csv(services: list[Service]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for service in services:
        writer.writerow([
            service.name, service.payment_url or "", service.card.last4 if service.card else "",
            service.billing_cycle, "" if service.amount is None else str(service.amount), service.currency or "",
            service.next_charge or "", service.last_charged_on or "", service.alias_email or "",
            service.category or "", service.notes or "", service.holds_card_as, service.card_updated_on or "",
            service.status,
        ])
    # The BOM is what makes Excel read UTF-8 (and so Japanese) correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
