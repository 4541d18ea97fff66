"""Cards, services and checklists as JSON with a stable shape, and as text."""

from __future__ import annotations

from decimal import Decimal

from cardguard.directory.load import Directory
from cardguard.i18n import Lang, t
from cardguard.output import console
from cardguard.store.models import Card, Checklist, ChecklistItem, Service
from cardguard.wallet.registry import CardReview, Progress, progress


def product_name(directory: Directory, card: Card, lang: Lang) -> str | None:
    issuer = directory.issuers.get(card.issuer)
    if issuer and card.product in issuer.cards:
        return issuer.cards[card.product].name(lang)
    return card.product


def card_json(directory: Directory, card: Card, lang: Lang, services: int | None = None) -> dict:
    return {
        "id": card.id, "issuer": card.issuer or None, "product": card.product,
        "product_name": product_name(directory, card, lang), "nickname": card.nickname, "last4": card.last4,
        "expiry": card.expiry, "issued_on": card.issued_on, "alias_email": card.alias_email,
        "back_number": card.back_number, "status": card.status, "replaces": card.replaces_id,
        "services": services,
    }


def amount_text(amount, currency: str | None) -> str:
    """An amount as a person writes it: yen without decimals, others with cents when they have them."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    whole = value == value.to_integral_value()
    number = f"{value:,.0f}" if whole else f"{value:,.2f}"
    if currency == "JPY":
        return f"¥{number}"
    return f"{number} {currency}" if currency else number


def service_json(service: Service) -> dict:
    card = service.card
    return {
        "id": service.id, "name": service.name, "payment_url": service.payment_url,
        "card": {"id": card.id, "nickname": card.nickname, "last4": card.last4} if card else None,
        "billing_cycle": service.billing_cycle,
        "amount": str(service.amount) if service.amount is not None else None, "currency": service.currency,
        "amount_text": amount_text(service.amount, service.currency),
        "next_charge": service.next_charge, "last_charged_on": service.last_charged_on,
        "alias_email": service.alias_email, "category": service.category, "notes": service.notes,
        "holds_card_as": service.holds_card_as, "card_updated_on": service.card_updated_on, "status": service.status,
    }


def item_title(directory: Directory, checklist: Checklist, item: ChecklistItem, lang: Lang) -> str:
    if item.caveat_id:
        issuer = directory.issuers.get(checklist_card_issuer(checklist))
        for caveat in issuer.data.cancellation_caveats if issuer else []:
            if caveat.id == item.caveat_id:
                return caveat.ja if lang == "ja" else caveat.en
    if checklist.kind == "close" and item.service_id:
        return t("wallet.move_service", lang, name=item.title)
    if item_card_unknown(checklist, item):
        return t("wallet.no_card_item", lang, name=item.title)
    return item.title


def item_card_unknown(checklist: Checklist, item: ChecklistItem) -> bool:
    """A reissue item for a service that records no card: it may hold the old number, so it is asked."""
    return checklist.kind == "reissue" and item.service is not None and item.service.card_id is None


def checklist_card_issuer(checklist: Checklist) -> str | None:
    from sqlalchemy.orm import object_session

    session = object_session(checklist)
    card = session.get(Card, checklist.card_id) if session else None
    return (card.issuer or None) if card else None


def item_json(directory: Directory, checklist: Checklist, item: ChecklistItem, lang: Lang) -> dict:
    return {"id": item.id, "title": item_title(directory, checklist, item, lang), "status": item.status,
            "status_label": t(f"wallet.item_{item.status.replace('-', '_')}", lang),
            "follows_by_itself": item.follows_by_itself, "due_on": item.due_on, "service_id": item.service_id,
            "caveat_id": item.caveat_id, "card_unknown": item_card_unknown(checklist, item),
            "payment_url": item.service.payment_url if item.service is not None else None}


def old_card_json(service: Service, lang: Lang) -> dict:
    """A service still on a replaced or closed card, with what became of that card."""
    card = service.card
    return {**service_json(service), "card_status": card.status,
            "card_status_label": t(f"wallet.status_{card.status}", lang)}


def checklist_json(directory: Directory, checklist: Checklist, lang: Lang) -> dict:
    state: Progress = progress(checklist)
    return {
        "id": checklist.id, "kind": checklist.kind, "card_id": checklist.card_id, "new_card_id": checklist.new_card_id,
        "created_at": checklist.created_at,
        "progress": {"done": state.done, "total": state.total},
        "due_first": item_json(directory, checklist, state.due_first, lang) if state.due_first else None,
        "items": [item_json(directory, checklist, item, lang) for item in checklist.items],
        "still_on_old_cards": [old_card_json(s, lang) for s in _elsewhere(checklist)],
    }


def _elsewhere(checklist: Checklist) -> list[Service]:
    """Services on other replaced or closed cards: a newer checklist must not hide an older one's."""
    from sqlalchemy.orm import object_session

    from cardguard.wallet.registry import services_on_old_cards

    session = object_session(checklist)
    if session is None:
        return []
    listed = {item.service_id for item in checklist.items if item.service_id}
    return [s for s in services_on_old_cards(session) if s.id not in listed]


def print_cards(directory: Directory, cards: list[tuple[Card, int]], lang: Lang, hidden: int = 0) -> None:
    out = console()
    if not cards and not hidden:
        out.print(t("wallet.no_cards", lang))
    if hidden:
        out.print(t("wallet.closed_hidden", lang, count=hidden), style="dim")
    if not cards:
        return
    for card, count in cards:
        product = product_name(directory, card, lang) or card.issuer or t("wallet.issuer_unknown", lang)
        expiry = f"  {card.expiry}" if card.expiry else ""
        status = t(f"wallet.status_{card.status}", lang)
        out.print(f"#{card.id}  [bold]{card.nickname}[/bold]  ****{card.last4}{expiry}  {status}", highlight=False)
        out.print(f"     {product} · {t('wallet.services_count', lang, count=count)}", style="dim", markup=False)


def print_services(services: list[Service], lang: Lang) -> None:
    out = console()
    if not services:
        out.print(t("wallet.no_services", lang))
        return
    for service in services:
        card = f"****{service.card.last4}" if service.card else f"[{t('wallet.no_card', lang)}]"
        amount = amount_text(service.amount, service.currency)
        cycle = t(f"wallet.cycle_{service.billing_cycle.replace('-', '_')}", lang)
        nxt = f" · {t('wallet.next_charge', lang)} {service.next_charge}" if service.next_charge else ""
        out.print(f"#{service.id}  {service.name}  {card}  {amount} {cycle}{nxt}", markup=False, highlight=False)


def merged_text(item: ChecklistItem, lang: Lang) -> str | None:
    """What ticking ``item`` did when its service was already on the new card (registry.onto_card)."""
    if not getattr(item, "merged_from", None) or item.service is None:
        return None
    card = item.service.card
    return t("holder3.merged", lang, name=item.service.name, id=item.service.id, old=item.merged_from,
             card=f"{card.nickname} ****{card.last4}" if card else "")


def print_checklist(data: dict, lang: Lang) -> None:
    """Prints ``checklist_json``'s value, computed while the registry was open: the caveats' words and
    the services on other old cards are read from it, and once it is closed they could not be."""
    out = console()
    title = t(f"wallet.checklist_{data['kind']}", lang)
    out.print(f"[bold]{title}[/bold]  {t('wallet.progress', lang, done=data['progress']['done'], total=data['progress']['total'])}")
    if data["due_first"]:
        out.print(t("wallet.due_first", lang, title=data["due_first"]["title"], due=data["due_first"]["due_on"] or "-"))
    for item in data["items"]:
        box = "☐" if item["status"] == "todo" else "☑"
        extra = f"  ({t('wallet.follows', lang)})" if item["follows_by_itself"] else ""
        if item["card_unknown"] and item["status"] == "todo":
            extra += f"  [{t('wallet.no_card', lang)}]"
        due = f"  {t('wallet.next_charge', lang)} {item['due_on']}" if item["due_on"] else ""
        out.print(f" {box} [{item['id']}] {item['title']} — {item['status_label']}{due}{extra}", markup=False)
        if item["payment_url"] and item["status"] == "todo":
            out.print("      " + t("holder.open_payment_page", lang, url=item["payment_url"]), markup=False)
    print_old_cards(data["still_on_old_cards"], lang)
    out.print(t(f"wallet.mark_hint_{data['kind']}", lang), style="dim")


def print_old_cards(services: list[dict], lang: Lang) -> None:
    """Where an old number is still stored: each service, its card, and what became of the card."""
    if not services:
        return
    out = console()
    out.print(t("holder.still_on_old_cards", lang, count=len(services)), style="bold")
    for s in services:
        due = f"  {t('wallet.next_charge', lang)} {s['next_charge']}" if s["next_charge"] else ""
        out.print(f"   ・#{s['id']} {s['name']}  ****{s['card']['last4']} ({s['card_status_label']}){due}", markup=False)
        if s["payment_url"]:
            out.print("      " + t("holder.open_payment_page", lang, url=s["payment_url"]), markup=False)


def print_review(directory: Directory, reviews: list[CardReview], lang: Lang,
                 without_card: list[Service] | None = None, on_old_cards: list[dict] | None = None) -> None:
    """``on_old_cards``: ``old_card_json`` values, made while the registry was open."""
    out = console()
    print_old_cards(on_old_cards or [], lang)
    for entry in reviews:
        card = entry.card
        years = f"{entry.age_days / 365:.1f}" if entry.age_days is not None else "?"
        out.print(f"[bold]{card.nickname}[/bold] ****{card.last4}: "
                  + t("wallet.review_line", lang, years=years, count=len(entry.services), idle=len(entry.idle)))
        for service in entry.idle:
            out.print("   ・" + t("wallet.review_idle", lang, name=service.name), markup=False)
    if without_card:
        out.print(t("wallet.review_no_card", lang, count=len(without_card)), style="bold")
        for service in without_card:
            out.print(f"   ・{service.name}  [{t('wallet.no_card', lang)}]", markup=False)
    out.print(t("wallet.review_advice", lang), style="bold")


def review_json(directory: Directory, reviews: list[CardReview], lang: Lang,
                without_card: list[Service] | None = None, on_old_cards: list[Service] | None = None) -> dict:
    return {"cards": [{"card": card_json(directory, r.card, lang, len(r.services)), "age_days": r.age_days,
                       "services": len(r.services), "idle_services": [service_json(s) for s in r.idle]}
                      for r in reviews],
            "without_card": [{**service_json(s), "check": t("wallet.no_card", lang)} for s in without_card or []],
            "still_on_old_cards": [old_card_json(s, lang) for s in on_old_cards or []],
            "advice": t("wallet.review_advice", lang)}


def print_import(result, dry_run: bool, lang: Lang) -> None:
    out = console()
    counts = dict(added=result.added, updated=result.updated, unchanged=result.unchanged)
    out.print(t("wallet.import_counts_preview" if dry_run else "wallet.import_counts", lang, **counts), markup=False)
    for line, row in result.rows:
        card = f"****{row['card']['last4']}" if row["card"] else f"[{t('wallet.no_card', lang)}]"
        out.print(f"  {line}: {row['name']}  {card}  {row['amount_text']}", markup=False)
    if result.total > len(result.rows):
        out.print("  " + t("wallet.import_more_rows", lang, count=result.total - len(result.rows)), markup=False)
    for line, message in result.errors:
        out.print("  ✗ " + t("wallet.bad_row", lang, line=line, message=message), style="red", markup=False)
    if result.without_card_count:
        names = "、".join(result.without_card[:20]) if lang == "ja" else ", ".join(result.without_card[:20])
        if result.without_card_count > 20:
            names += " …"
        out.print(t("wallet.import_without_card", lang, count=result.without_card_count, names=names),
                  style="yellow", markup=False)
    if result.ignored_columns:
        out.print(t("wallet.ignored_columns", lang, columns=", ".join(result.ignored_columns)), style="dim",
                  markup=False)
