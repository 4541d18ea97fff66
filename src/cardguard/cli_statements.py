"""`cardguard statements`: thin commands over statements/ (parse, recurrence, ledger)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from cardguard.cli_common import JsonOpt, LangOpt, h
from cardguard.errors import UserError, os_reason
from cardguard.i18n import Lang, t
from cardguard.output import console
from cardguard.statements.render import card_json as _card_json, card_text as _card_text, proposal_json

statements_app = typer.Typer(help=h("statements.help"), no_args_is_help=True, rich_markup_mode=None)

SKIPPED_SHOWN = 20


def _run(lang: str | None, as_json: bool, work: Callable[[Any, Lang], tuple[Any, Callable[[], None]]]) -> None:
    """The wallet commands' own run (open the registry, work, print JSON or text), without the directory."""
    from cardguard.cli_wallet import run

    run(lang, as_json, lambda session, _directory, language: work(session, language))


def print_proposals(values: list[dict], lang: Lang, *, dry_run: bool = False) -> None:
    out = console()
    if not values:
        return
    out.print(t("statements.heading", lang), markup=False)
    for value in values:
        words = {"merchant": value["merchant"], "cycle": value["cycle_text"], "amount": value["amount_text"],
                 "card": _card_text_of(value["card"]), "confidence": value["confidence_text"]}
        if dry_run:
            out.print(t("statements.proposal_line_dry", lang, **words), markup=False)
        else:
            out.print(t("statements.proposal_line", lang, id=value["id"], **words), markup=False)
        dates = ", ".join(e["date"] for e in value["evidence"])
        out.print(t("statements.proposal_seen", lang, count=len(value["evidence"]), dates=dates,
                    days=value["interval_days"], next=value["next_charge"]), markup=False)
        for note in value["notes"]:
            out.print(f"     - {note['text']}", markup=False)
        if value["status"] != "open":
            out.print(t("statements.proposal_status", lang, status=value["status_text"]), markup=False)
        if value["existing_service"]:
            out.print(t("statements.proposal_existing", lang, **value["existing_service"]), markup=False)


def _card_text_of(card: dict) -> str:
    return f"{card['nickname']} ****{card['last4']}"


def _mapping(items: list[str] | None) -> dict[str, str]:
    out = {}
    for item in items or []:
        column, sep, target = item.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise UserError("error.bad_map", given=item)
        out[target.strip()] = column.strip()
    return out


class FileError(UserError):
    """An error in one of several files: the message names the file, the JSON code stays the
    error's own (statements.unknown_layout, say) so that a script can tell errors apart."""

    def __init__(self, name: str, error: UserError) -> None:
        from cardguard.i18n import Text

        super().__init__("statements.in_file", file=name, message=Text(ja=error.message("ja"), en=error.message("en")),
                         details=error.details)
        self.file, self.code = name, error.key

    def as_json(self, lang: Lang) -> dict:
        out = super().as_json(lang)
        out["error"]["code"] = self.code
        out["error"]["file"] = self.file
        return out


@contextmanager
def _progress(name: str, as_json: bool):
    """A Rich progress bar on a terminal (a large file shows it is alive); nothing when piped."""
    if as_json or not sys.stderr.isatty():
        yield None
        return
    from cardguard.output import console as holder_console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    with Progress("{task.description}", BarColumn(), MofNCompleteColumn(), console=holder_console(stderr=True),
                  transient=True) as bar:
        task = bar.add_task(name, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def read_files(paths: list[Path], mapping: dict[str, str], as_json: bool) -> list:
    """Every file parsed before anything is saved: one bad file and nothing is imported."""
    from cardguard.statements.parse import MAX_BYTES, parse_statement

    out = []
    for path in paths:
        try:
            try:
                if path.stat().st_size > MAX_BYTES:
                    raise UserError("statements.too_large", limit=MAX_BYTES // (1024 * 1024))
                data = path.read_bytes()
            except OSError as exc:
                raise UserError("error.input_unreadable", path=str(path), **os_reason(exc)) from None
            with _progress(path.name, as_json) as progress:
                out.append((path.name, parse_statement(data, mapping=mapping or None, progress=progress)))
        except UserError as error:
            raise FileError(path.name, error) from None
    return out


@statements_app.command("import", help=h("statements.import_help"))
def statements_import(
    files: Annotated[list[Path], typer.Argument(help=h("statements.opt_files"), show_default=False)],
    card: Annotated[Optional[str], typer.Option("--card", help=h("statements.opt_card"))] = None,
    mapping: Annotated[Optional[list[str]], typer.Option("--map", help=h("statements.opt_map"))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=h("statements.opt_dry_run"))] = False,
    as_json: JsonOpt = False, lang: LangOpt = None,
) -> None:
    from cardguard.statements.ledger import import_statements
    from cardguard.wallet import registry

    def work(session, language):
        if not card:
            raise UserError("statements.card_required")
        parsed = read_files(files, _mapping(mapping), as_json)
        target = registry.find_card(session, card)
        report = import_statements(session, target, parsed)
        file_values = [_file_json(result, language) for result in report.files]
        proposals = [proposal_json(session, p, target, language, with_id=not dry_run) for p in report.proposals]
        if dry_run:
            session.rollback()
        value = {"dry_run": dry_run, "card": _card_json(target), "files": file_values, "proposals": proposals}

        def show():
            out = console()
            for result in file_values:
                out.print(t("statements.read", language, file=result["file"], layout=result["layout_name"],
                            encoding=result["encoding"], charges=result["charges"],
                            skipped=len(result["skipped"])), markup=False)
                if result["period"]:
                    out.print(t("statements.period", language, **result["period"]), markup=False)
                if result["already_imported"]:
                    out.print(t("statements.already_imported", language), markup=False)
                else:
                    out.print(t("statements.would_add" if dry_run else "statements.added", language,
                                added=result["added"], card=_card_text(target)), markup=False)
                for skipped in result["skipped"][:SKIPPED_SHOWN]:
                    out.print(t("statements.skipped_line", language, line=skipped["line"], reason=skipped["message"]),
                              markup=False)
                if len(result["skipped"]) > SKIPPED_SHOWN:
                    out.print(t("statements.skipped_more", language, count=len(result["skipped"]) - SKIPPED_SHOWN),
                              markup=False)
            if proposals:
                print_proposals(proposals, language, dry_run=dry_run)
                if not dry_run and any(p["status"] == "open" for p in proposals):
                    out.print(t("statements.accept_hint", language), markup=False)
            else:
                out.print(t("statements.none_found", language), markup=False)
            if dry_run:
                out.print(t("statements.dry_run", language), markup=False)

        return value, show

    _run(lang, as_json, work)


def _file_json(result, lang: Lang) -> dict:
    statement = result.statement
    period = statement.period
    return {
        "file": result.name, "layout": statement.layout.id, "layout_name": statement.layout.name(lang),
        "layout_source": statement.layout.source, "encoding": statement.encoding,
        "charges": len(statement.charges), "added": result.added, "already_imported": result.already_imported,
        "period": {"first": period[0].isoformat(), "last": period[1].isoformat()} if period else None,
        "skipped": [{"line": s.line, "reason": s.reason, "message": t(f"statements.skip.{s.reason}", lang)}
                    for s in statement.skipped],
    }


@statements_app.command("proposals", help=h("statements.proposals_help"))
def statements_proposals(
    card: Annotated[Optional[str], typer.Option("--card", help=h("statements.opt_card"))] = None,
    include_all: Annotated[bool, typer.Option("--all", help=h("statements.opt_all"))] = False,
    as_json: JsonOpt = False, lang: LangOpt = None,
) -> None:
    from cardguard.statements.ledger import list_proposals
    from cardguard.store.models import Card
    from cardguard.wallet import registry

    def work(session, language):
        target = registry.find_card(session, card) if card else None
        found = list_proposals(session, target, include_decided=include_all)
        values = [proposal_json(session, p, session.get(Card, p.card_id), language) for p in found]

        def show():
            if not values:
                console().print(t("statements.no_proposals", language), markup=False)
                return
            print_proposals(values, language)
            if any(v["status"] == "open" for v in values):
                console().print(t("statements.accept_hint", language), markup=False)

        return values, show

    _run(lang, as_json, work)


Numbers = Annotated[list[str], typer.Argument(help=h("statements.opt_numbers"), show_default=False)]


@statements_app.command("accept", help=h("statements.accept_help"))
def statements_accept(numbers: Numbers, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.statements.ledger import accept
    from cardguard.store.models import Card
    from cardguard.wallet.render import service_json

    def work(session, language):
        decisions = accept(session, numbers, date.today())
        values = []
        for decision in decisions:
            card = session.get(Card, decision.proposal.card_id)
            values.append({**proposal_json(session, decision.proposal, card, language), "outcome": decision.outcome,
                           "service": service_json(decision.service) if decision.service else None})

        def show():
            for value in values:
                service = value["service"] or {}
                console().print(t(f"statements.accepted_{value['outcome']}", language, id=value["id"],
                                  merchant=value["merchant"], service=service.get("id"), name=service.get("name"),
                                  card=_card_text_of(value["card"])), markup=False)

        return values, show

    _run(lang, as_json, work)


@statements_app.command("dismiss", help=h("statements.dismiss_help"))
def statements_dismiss(numbers: Numbers, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.statements.ledger import dismiss
    from cardguard.store.models import Card

    def work(session, language):
        decisions = dismiss(session, numbers)
        values = [{**proposal_json(session, d.proposal, session.get(Card, d.proposal.card_id), language),
                   "outcome": d.outcome} for d in decisions]

        def show():
            for value in values:
                key = "statements.dismissed" if value["outcome"] == "dismissed" else "statements.dismiss_accepted"
                console().print(t(key, language, id=value["id"], merchant=value["merchant"],
                                  service=value["service_id"]), markup=False)

        return values, show

    _run(lang, as_json, work)
