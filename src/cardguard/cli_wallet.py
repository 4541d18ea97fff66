"""`cardguard cards`, `services` and `reissue`: thin commands over wallet/ and store/."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from cardguard.cli_common import JsonOpt, LangOpt, h, language_of
from cardguard.errors import UserError, os_reason
from cardguard.i18n import Lang, t
from cardguard.output import console, print_json, report_error


@contextmanager
def registry_session():
    from cardguard.store import Store

    store = Store()
    try:
        with store.session() as session:
            yield session
    finally:
        store.close()


def run(lang: str | None, as_json: bool, work: Callable[[Any, Any, Lang], tuple[Any, Callable[[], None]]]) -> None:
    """Open the registry, do the work, print JSON or text; errors become messages."""
    from cardguard.directory import load_directory

    language = language_of(lang)
    try:
        directory = load_directory()
        with registry_session() as session:
            value, show = work(session, directory, language)
    except UserError as error:
        raise typer.Exit(report_error(error, language, as_json)) from None
    if as_json:
        print_json(value)
    else:
        show()


def today() -> date:
    return date.today()


class DefaultToStart(TyperGroup):
    """`cardguard reissue CARD --last4 …` means `cardguard reissue start CARD --last4 …`."""

    def parse_args(self, ctx, args):
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["start", *args]
        return super().parse_args(ctx, args)


cards_app = typer.Typer(help=h("cmd.cards"), no_args_is_help=True, rich_markup_mode=None)
services_app = typer.Typer(help=h("cmd.services"), no_args_is_help=True, rich_markup_mode=None)
reissue_app = typer.Typer(help=h("cmd.reissue"), cls=DefaultToStart, no_args_is_help=True, rich_markup_mode=None)

CardArg = Annotated[str, typer.Argument(help=h("opt.card_ref"))]
Issuer = Annotated[Optional[str], typer.Option("--issuer", help=h("opt.issuer"))]
Product = Annotated[Optional[str], typer.Option("--product", help=h("opt.product"))]
Nickname = Annotated[Optional[str], typer.Option("--nickname", help=h("opt.nickname"))]
Last4 = Annotated[Optional[str], typer.Option("--last4", help=h("opt.last4"))]
Expiry = Annotated[Optional[str], typer.Option("--expiry", help=h("opt.expiry"))]
Issued = Annotated[Optional[str], typer.Option("--issued", help=h("opt.issued"))]
Alias = Annotated[Optional[str], typer.Option("--alias", help=h("opt.alias"))]
BackNumber = Annotated[Optional[str], typer.Option("--back-number", help=h("opt.back_number"))]


def _card_raw(**values: str | None) -> dict[str, str | None]:
    names = {"issued": "issued_on", "alias": "alias_email"}
    return {names.get(key, key): value for key, value in values.items()}


@cards_app.command("add", help=h("cmd.cards_add"))
def cards_add(issuer: Issuer = None, product: Product = None, nickname: Nickname = None, last4: Last4 = None,
              expiry: Expiry = None, issued: Issued = None, alias: Alias = None, back_number: BackNumber = None,
              as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import card_json

    def work(session, directory, language):
        card = registry.add_card(session, directory, _card_raw(
            issuer=issuer, product=product, nickname=nickname, last4=last4, expiry=expiry, issued=issued,
            alias=alias, back_number=back_number))
        return card_json(directory, card, language, 0), lambda: console().print(
            t("wallet.card_added", language, nickname=card.nickname, last4=card.last4, id=card.id), markup=False)

    run(lang, as_json, work)


@cards_app.command("list", help=h("cmd.cards_list"))
def cards_list(all_cards: Annotated[bool, typer.Option("--all", help=h("opt.all_cards"))] = False,
               as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from sqlalchemy import select

    from cardguard.store.models import Card
    from cardguard.wallet import registry
    from cardguard.wallet.render import card_json, print_cards

    def work(session, directory, language):
        every = list(session.scalars(select(Card).order_by(Card.id)))
        cards = [c for c in every if all_cards or c.status in registry.LIVE_STATUSES]
        counted = [(c, len(registry.active_services(session, c))) for c in cards]
        return [card_json(directory, c, language, n) for c, n in counted], \
            lambda: print_cards(directory, counted, language, hidden=len(every) - len(cards))

    run(lang, as_json, work)


@cards_app.command("show", help=h("cmd.cards_show"))
def cards_show(card: CardArg, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import card_json, print_cards, print_services, service_json

    def work(session, directory, language):
        found = registry.find_card(session, card)
        services = registry.active_services(session, found)
        value = {**card_json(directory, found, language, len(services)),
                 "service_list": [service_json(s) for s in services]}

        def show():
            print_cards(directory, [(found, len(services))], language)
            if found.alias_email:
                console().print(f"     {t('holder.alias_label', language)}: {found.alias_email}", markup=False)
            if found.back_number:
                console().print(f"     {t('wallet.back_number', language)}: {found.back_number}", markup=False)
            print_services(services, language)

        return value, show

    run(lang, as_json, work)


@cards_app.command("edit", help=h("cmd.cards_edit"))
def cards_edit(card: CardArg, issuer: Issuer = None, product: Product = None, nickname: Nickname = None,
               last4: Last4 = None, expiry: Expiry = None, issued: Issued = None, alias: Alias = None,
               back_number: BackNumber = None,
               status: Annotated[Optional[str], typer.Option("--status", help=h("opt.card_status"))] = None,
               as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import card_json

    def work(session, directory, language):
        found = registry.edit_card(session, directory, card, _card_raw(
            issuer=issuer, product=product, nickname=nickname, last4=last4, expiry=expiry, issued=issued,
            alias=alias, back_number=back_number, status=status))
        return card_json(directory, found, language), lambda: console().print(
            t("wallet.card_saved", language, nickname=found.nickname, last4=found.last4), markup=False)

    run(lang, as_json, work)


@cards_app.command("retire", help=h("cmd.cards_retire"))
def cards_retire(card: CardArg, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import card_json

    def work(session, directory, language):
        found = registry.retire_card(session, card)
        return card_json(directory, found, language), lambda: console().print(
            t("wallet.card_stopped", language, nickname=found.nickname, last4=found.last4), markup=False)

    run(lang, as_json, work)


Yes = Annotated[bool, typer.Option("--yes", "-y", help=h("opt.yes"))]


def confirm(question: str, yes: bool) -> None:
    """Ask before a change the holder may not mean; without a terminal to ask on, --yes is required."""
    import sys

    if yes:
        return
    if not sys.stdin.isatty():
        raise UserError("error.confirm_needed")
    if not typer.confirm(question, default=False, err=True):
        raise UserError("error.not_confirmed")


@cards_app.command("close", help=h("cmd.cards_close"))
def cards_close(card: CardArg, yes: Yes = False, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import checklist_json, print_checklist

    def work(session, directory, language):
        found = registry.find_card(session, card)
        if found.status == "closed":
            raise UserError("error.card_already_closed", card=found.nickname)
        confirm(t("wallet.close_confirm", language, nickname=found.nickname, last4=found.last4,
                  count=len(registry.active_services(session, found))), yes)
        checklist = registry.close_card(session, directory, found)
        undo = t("wallet.closed_undo", language, nickname=found.nickname, last4=found.last4, id=found.id)
        data = checklist_json(directory, checklist, language)

        def show():
            print_checklist(data, language)
            console().print(undo, markup=False)

        return {**data, "undo": f"cardguard cards reopen {found.id}"}, show

    run(lang, as_json, work)


@cards_app.command("reopen", help=h("cmd.cards_reopen"))
def cards_reopen(card: CardArg, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import card_json

    def work(session, directory, language):
        found = registry.reopen_card(session, card)
        return card_json(directory, found, language), lambda: console().print(
            t("wallet.reopened", language, nickname=found.nickname, last4=found.last4), markup=False)

    run(lang, as_json, work)


@cards_app.command("review", help=h("cmd.cards_review"))
def cards_review(as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import print_review, review_json

    def work(session, directory, language):
        reviews = registry.review(session, today())
        loose = registry.services_without_card(session)
        value = review_json(directory, reviews, language, loose, registry.services_on_old_cards(session))
        return value, lambda: print_review(directory, reviews, language, loose, value["still_on_old_cards"])

    run(lang, as_json, work)


# ------------------------------------------------------------------------------------- services

def _service_options(**given: str | None) -> dict[str, str | None]:
    names = {"url": "payment_url", "cycle": "billing_cycle", "next_charge": "next_charge",
             "last_charged": "last_charged_on", "alias": "alias_email", "holds": "holds_card_as",
             "updated_on": "card_updated_on"}
    return {names.get(key, key): value for key, value in given.items()}


ServiceCard = Annotated[Optional[str], typer.Option("--card", help=h("opt.card_ref"))]
Url = Annotated[Optional[str], typer.Option("--url", help=h("opt.url"))]
Cycle = Annotated[Optional[str], typer.Option("--cycle", help=h("opt.cycle"))]
Amount = Annotated[Optional[str], typer.Option("--amount", help=h("opt.amount"))]
Currency = Annotated[Optional[str], typer.Option("--currency", help=h("opt.currency"))]
NextCharge = Annotated[Optional[str], typer.Option("--next-charge", help=h("opt.next_charge"))]
LastCharged = Annotated[Optional[str], typer.Option("--last-charged", help=h("opt.last_charged"))]
Category = Annotated[Optional[str], typer.Option("--category", help=h("opt.category"))]
Notes = Annotated[Optional[str], typer.Option("--notes", help=h("opt.notes"))]
Holds = Annotated[Optional[str], typer.Option("--holds", help=h("opt.holds"))]
UpdatedOn = Annotated[Optional[str], typer.Option("--updated-on", help=h("opt.updated_on"))]
AllowDuplicate = Annotated[bool, typer.Option("--allow-duplicate", help=h("holder.opt_allow_duplicate"))]


@services_app.command("add", help=h("cmd.services_add"))
def services_add(name: Annotated[str, typer.Argument(help=h("opt.service_name"))], card: ServiceCard = None,
                 url: Url = None, cycle: Cycle = None, amount: Amount = None, currency: Currency = None,
                 next_charge: NextCharge = None, last_charged: LastCharged = None, alias: Alias = None,
                 category: Category = None, notes: Notes = None, holds: Holds = None, updated_on: UpdatedOn = None,
                 allow_duplicate: AllowDuplicate = False, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import service_json

    def work(session, directory, language):
        service = registry.add_service(session, _service_options(
            name=name, card=card, url=url, cycle=cycle, amount=amount, currency=currency, next_charge=next_charge,
            last_charged=last_charged, alias=alias, category=category, notes=notes, holds=holds,
            updated_on=updated_on), allow_duplicate=allow_duplicate)
        return service_json(service), lambda: console().print(
            t("wallet.service_added", language, name=service.name, id=service.id), markup=False)

    run(lang, as_json, work)


@services_app.command("list", help=h("cmd.services_list"))
def services_list(card: ServiceCard = None,
                  all_services: Annotated[bool, typer.Option("--all", help=h("opt.all_services"))] = False,
                  as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import print_services, service_json

    def work(session, directory, language):
        services = registry.list_services(session, card, include_cancelled=all_services)
        return [service_json(s) for s in services], lambda: print_services(services, language)

    run(lang, as_json, work)


@services_app.command("edit", help=h("cmd.services_edit"))
def services_edit(service: Annotated[str, typer.Argument(help=h("opt.service_ref"))],
                  name: Annotated[Optional[str], typer.Option("--name", help=h("opt.service_name"))] = None,
                  card: ServiceCard = None, url: Url = None, cycle: Cycle = None, amount: Amount = None,
                  currency: Currency = None, next_charge: NextCharge = None, last_charged: LastCharged = None,
                  alias: Alias = None, category: Category = None, notes: Notes = None, holds: Holds = None,
                  updated_on: UpdatedOn = None, allow_duplicate: AllowDuplicate = False,
                  as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import service_json

    def work(session, directory, language):
        found = registry.edit_service(session, service, _service_options(
            name=name, card=card, url=url, cycle=cycle, amount=amount, currency=currency, next_charge=next_charge,
            last_charged=last_charged, alias=alias, category=category, notes=notes, holds=holds,
            updated_on=updated_on), allow_duplicate=allow_duplicate)
        return service_json(found), lambda: console().print(t("wallet.service_saved", language, name=found.name),
                                                            markup=False)

    run(lang, as_json, work)


@services_app.command("remove", help=h("cmd.services_remove"))
def services_remove(service: Annotated[str, typer.Argument(help=h("opt.service_ref"))],
                    as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry

    def work(session, directory, language):
        found = registry.remove_service(session, service)
        return {"removed": found.id, "name": found.name}, lambda: console().print(
            t("wallet.service_removed", language, name=found.name), markup=False)

    run(lang, as_json, work)


@services_app.command("import", help=h("cmd.services_import"))
def services_import(path: Annotated[Path, typer.Argument(help=h("opt.import_file"))],
                    mapping: Annotated[Optional[list[str]], typer.Option("--map", help=h("opt.map"))] = None,
                    dry_run: Annotated[bool, typer.Option("--dry-run", help=h("opt.dry_run"))] = False,
                    skip_bad_rows: Annotated[bool, typer.Option("--skip-bad-rows", help=h("opt.skip_bad"))] = False,
                    card: Annotated[Optional[str], typer.Option("--card", help=h("opt.import_card"))] = None,
                    as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet.csvio import import_services
    from cardguard.wallet.render import print_import

    def work(session, directory, language):
        overrides = {}
        for item in mapping or []:
            column, sep, target = item.partition("=")
            if not sep:
                raise UserError("error.bad_map", given=item)
            overrides[column] = target.strip()
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise UserError("error.input_unreadable", path=str(path), **os_reason(exc)) from None
        with handle, _import_progress(path, as_json) as progress:
            result = import_services(session, handle, overrides=overrides, skip_bad_rows=skip_bad_rows,
                                     dry_run=dry_run, lang=language, default_card=card, progress=progress)
        if dry_run:
            session.rollback()
        value = {"dry_run": dry_run, "written": result.written, "added": result.added, "updated": result.updated,
                 "unchanged": result.unchanged, "total": result.total, "rows": [r for _, r in result.rows],
                 "errors": [{"line": line, "message": message} for line, message in result.errors],
                 "without_card": result.without_card, "without_card_count": result.without_card_count,
                 "ignored_columns": result.ignored_columns}
        return value, lambda: print_import(result, dry_run, language)

    run(lang, as_json, work)


@contextmanager
def _import_progress(path: Path, as_json: bool):
    """A Rich progress bar on a terminal (a long import shows it is alive); nothing when piped."""
    import sys

    if as_json or not sys.stderr.isatty():
        yield None
        return
    from cardguard.output import console as holder_console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    try:
        total = path.stat().st_size
    except OSError:
        total = None
    with Progress("{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=holder_console(stderr=True), transient=True) as bar:
        task = bar.add_task(path.name, total=total)
        yield lambda done: bar.update(task, completed=done)


@services_app.command("export", help=h("cmd.services_export"))
def services_export(fmt: Annotated[str, typer.Option("--format", help=h("opt.export_format"))] = "csv",
                    output: Annotated[Optional[Path], typer.Option("--output", "-o", help=h("opt.output"))] = None,
                    as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    import sys

    from sqlalchemy import select

    from cardguard.store.models import Card, Service
    from cardguard.wallet.csvio import export_csv
    from cardguard.wallet.render import card_json, service_json

    language = language_of(lang)
    fmt = "json" if as_json else fmt
    try:
        from cardguard.directory import load_directory
        import json

        directory = load_directory()
        with registry_session() as session:
            services = list(session.scalars(select(Service).order_by(Service.id)))
            if fmt == "csv":
                data = export_csv(services, language)
            elif fmt == "json":
                cards = list(session.scalars(select(Card).order_by(Card.id)))
                doc = {"cards": [card_json(directory, c, language) for c in cards],
                       "services": [service_json(s) for s in services]}
                data = (json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")
            else:
                raise UserError("error.field_choices_named", field="--format", choices="csv, json")
        if output:
            try:
                output.write_bytes(data)
            except OSError as exc:
                raise UserError("error.output_unwritable", path=str(output), **os_reason(exc)) from None
        else:
            sys.stdout.buffer.write(data)
    except UserError as error:
        raise typer.Exit(report_error(error, language, as_json)) from None


# -------------------------------------------------------------------------------------- reissue

@reissue_app.command("start", help=h("cmd.reissue_start"))
def reissue_start(card: CardArg, last4: Last4 = None, expiry: Expiry = None,
                  as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import card_json, checklist_json, print_checklist

    def work(session, directory, language):
        if not last4:
            raise UserError("error.field_required", field="--last4")
        checklist = registry.reissue(session, card, last4, expiry, today())
        from cardguard.store.models import Card

        new = session.get(Card, checklist.new_card_id)
        value = {"new_card": card_json(directory, new, language), "checklist": checklist_json(directory, checklist, language)}

        def show():
            console().print(t("wallet.reissued", language, nickname=new.nickname, last4=new.last4), markup=False)
            print_checklist(value["checklist"], language)

        return value, show

    run(lang, as_json, work)


@reissue_app.command("status", help=h("cmd.reissue_status"))
def reissue_status(card: Annotated[Optional[str], typer.Argument(help=h("opt.card_ref"))] = None,
                   as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import checklist_json, print_checklist

    def work(session, directory, language):
        checklist = registry.find_checklist(session, card)
        data = checklist_json(directory, checklist, language)
        return data, lambda: print_checklist(data, language)

    run(lang, as_json, work)


@reissue_app.command("mark", help=h("cmd.reissue_mark"))
def reissue_mark(item: Annotated[int, typer.Argument(help=h("opt.item"))],
                 status: Annotated[str, typer.Argument(help=h("opt.item_status"))],
                 as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.wallet import registry
    from cardguard.wallet.render import checklist_json, merged_text, print_checklist

    def work(session, directory, language):
        marked = registry.mark_item(session, item, status, today())
        checklist = marked.checklist
        data = checklist_json(directory, checklist, language)
        merged = merged_text(marked, language)
        if merged:
            data["merged"] = {"from": marked.merged_from, "into": marked.service.id, "message": merged}

        def show():
            if merged:
                console().print(merged, markup=False)
            print_checklist(data, language)

        return data, show

    run(lang, as_json, work)
