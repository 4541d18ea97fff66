"""`cardguard incident`: thin commands over incident/."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

from cardguard.cli_common import JsonOpt, LangOpt, h, language_of, read_input
from cardguard.cli_wallet import run
from cardguard.errors import UserError, os_reason
from cardguard.i18n import Lang, t
from cardguard.output import console, report_error

incident_app = typer.Typer(help=h("cmd.incident"), no_args_is_help=True, rich_markup_mode=None)

At = Annotated[Optional[str], typer.Option("--at", help=h("opt.incident_at"))]
IncidentRef = Annotated[Optional[str], typer.Option("--incident", help=h("opt.incident_ref"))]


def print_incident(data: dict, lang: Lang) -> None:
    out = console()
    out.print(f"[bold]#{data['id']} {data['title']}[/bold]  ({t('incident.status_' + data['status'], lang)})")
    out.print(data["plan_summary"], markup=False)
    out.print(t("incident.progress", lang, done=data["progress"]["done"], total=data["progress"]["total"]))
    for card in data["cards"]:
        out.print(f"  {card['nickname']} ****{card['last4']}: {card['status']}", style="dim", markup=False)
    out.print(f"\n[bold]{t('incident.steps', lang)}[/bold]")
    for step in data["steps"]:
        box = {"done": "☑", "skipped": "⊘"}.get(step["status"], "☐")
        optional = f" ({t('incident.optional', lang)})" if step["optional"] else ""
        when = f"  [{step['done_at']}]" if step["done_at"] else ""
        out.print(f" {box} {step['title']}{optional}{when}  [dim]{step['id']}[/dim]")
        if step["detail"] and step["status"] == "todo":
            out.print(f"     {step['detail']}", style="dim", markup=False)
        for line in (step["call"] or []) if step["status"] == "todo" else []:
            out.print(f"     ☎ [bold]{line['number']}[/bold]  {line['status_text']}")
            if line["card_names"] and len(step["call"]) > 1:
                out.print("       " + ", ".join(line["card_names"]), style="dim", markup=False)
        for note in (step.get("call_notes") or []) if step["status"] == "todo" else []:
            out.print(f"     {note}", markup=False)
    out.print(f"\n[bold]{t('incident.timeline', lang)}[/bold]")
    for entry in data["timeline"]:
        out.print(f"  {entry['at']}  {entry['text']}", markup=False)
        if entry["details"]:
            out.print("      " + " · ".join(part["text"] for part in entry["details"]), style="dim", markup=False)
    out.print(t("incident.hint", lang), style="dim")


def _show(session, directory, incident, language):
    from cardguard.incident.report import view

    data = view(session, directory, incident, language, datetime.now(timezone.utc))
    return data, lambda: print_incident(data, language)


@incident_app.command("start", help=h("cmd.incident_start"))
def incident_start(
    kind: Annotated[Optional[str], typer.Option("--kind", help=h("opt.incident_kind"))] = None,
    card: Annotated[Optional[str], typer.Option("--card", help=h("opt.card_ref"))] = None,
    from_mail: Annotated[Optional[str], typer.Option("--from-mail", help=h("opt.from_mail"))] = None,
    at: At = None,
    offline: Annotated[bool, typer.Option("--offline", help=h("cmd.check.offline"))] = False,
    resolver: Annotated[Optional[str], typer.Option("--resolver", help=h("cmd.check.resolver"))] = None,
    trust_authserv: Annotated[Optional[list[str]], typer.Option("--trust-authserv", help=h("cmd.check.trust"))] = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help=h("cmd.check.alias"))] = None,
    as_json: JsonOpt = False, lang: LangOpt = None,
) -> None:
    from cardguard.incident import record

    def work(session, directory, language):
        checked = mail_at = None
        whose = card
        if from_mail:
            from cardguard.verify.message import read_mail

            data = read_input(from_mail)
            mail = read_mail(data)
            from cardguard.verify.run import verify_bytes

            checked = verify_bytes(data, language, offline=offline, resolver=resolver, trust=trust_authserv,
                                   alias=alias, card=None, mail=mail)
            mail_at = record.received_at(mail.headers)
            if whose is None:
                from cardguard.verify.run import card_by_alias

                # The registered alias the mail reached says whose card it is, as on the web's Mail page.
                found = card_by_alias(mail.recipients)
                whose = f"#{found}" if found is not None else None
        # The verdict is kept as what it is (codes and values), never the message, its HTML or prose.
        incident = record.start(session, kind, at=record.parse_at(at), card=whose, checked=checked,
                                mail_at=mail_at)
        return _show(session, directory, incident, language)

    run(lang, as_json, work)


@incident_app.command("list", help=h("cmd.incident_list"))
def incident_list(as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from sqlalchemy import select

    from cardguard.incident import plans, progress
    from cardguard.incident.report import shown
    from cardguard.store.models import Card, Incident

    def work(session, directory, language):
        rows = []
        now = datetime.now(timezone.utc)
        for incident in session.scalars(select(Incident).order_by(Incident.id.desc())):
            card = session.get(Card, incident.card_id) if incident.card_id else None
            states = progress.step_states(incident, progress.call_purposes_for(directory, incident, card, now))
            done = sum(1 for state in states.values() if state.status != "todo")
            rows.append({"id": incident.id, "kind": incident.kind, "title": plans.plan(incident.kind).title(language),
                         "status": incident.status, "started_at": shown(incident.started_at),
                         "progress": {"done": done, "total": len(incident.steps)}})

        def show():
            if not rows:
                console().print(t("incident.none_yet", language))
            for row in rows:
                console().print(f"#{row['id']}  {row['started_at']}  {row['title']}  "
                                f"{t('incident.status_' + row['status'], language)}  "
                                f"{row['progress']['done']}/{row['progress']['total']}", markup=False)

        return rows, show

    run(lang, as_json, work)


@incident_app.command("show", help=h("cmd.incident_show"))
def incident_show(incident_arg: Annotated[Optional[str], typer.Argument(metavar="INCIDENT", help=h("opt.incident_ref"))] = None,
                  incident: IncidentRef = None, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.incident import record

    run(lang, as_json, lambda session, directory, language: _show(
        session, directory, record.find_incident(session, incident or incident_arg), language))


def _changed(session, directory, found, language, before: dict, logged: str | None = None):
    """After a step or a log entry: what changed and what comes next, not the whole plan again."""
    data = _show(session, directory, found, language)[0]
    changed = [step for step in data["steps"] if step["status"] != "todo" and before.get(step["id"]) == "todo"]
    upcoming = next((step for step in data["steps"] if step["status"] == "todo" and not step["optional"]),
                    None) or next((step for step in data["steps"] if step["status"] == "todo"), None)
    value = {**data, "changed": [step["id"] for step in changed], "next_step": upcoming}

    def show():
        out = console()
        if logged:
            out.print(t("incident.changed_logged", language, text=logged), markup=False)
        for step in changed:
            key = "incident.changed_skipped" if step["status"] == "skipped" else "incident.changed_done"
            out.print(t(key, language, title=step["title"]), style="green", markup=False)
        out.print(t("incident.progress", language, done=data["progress"]["done"], total=data["progress"]["total"]))
        if upcoming is None:
            out.print(t("incident.all_done", language, id=data["id"]), style="bold", markup=False)
            return
        out.print(t("incident.next_step", language, title=upcoming["title"], id=upcoming["id"]), style="bold",
                  markup=False)
        if upcoming["detail"]:
            out.print(f"  {upcoming['detail']}", style="dim", markup=False)
        for line in upcoming["call"] or []:
            state = t("contacts.open_always", language) if line["always_open"] else (
                t("contacts.closed_opens", language, when=line["opens_at"]) if not line["open_now"] else "")
            out.print(f"  ☎ {line['number']}  {state}", markup=False)
        out.print(t("incident.show_all", language, id=data["id"]), style="dim", markup=False)

    return value, show


def _states(session, directory, found) -> dict:
    from cardguard.incident.report import view

    return {step["id"]: step["status"] for step in view(session, directory, found, "en", datetime.now(timezone.utc))["steps"]}


def _incident_and_rest(given: list[str] | None, option: str | None) -> tuple[str | None, list[str]]:
    """`incident step 3 call-fraud` and `incident step call-fraud --incident 3` mean the same; the
    incident is a leading argument that is a number (#3 or 3)."""
    given = list(given or [])
    if given and len(given) > 1 and given[0].lstrip("#").isdigit():
        return (option or given[0]), given[1:]
    return option, given


@incident_app.command("step", help=h("cmd.incident_step"))
def incident_step(args: Annotated[list[str], typer.Argument(help=h("opt.step_args"), metavar="[INCIDENT] STEP")],
                  incident: IncidentRef = None,
                  skip: Annotated[Optional[str], typer.Option("--skip", help=h("opt.skip_reason"))] = None,
                  at: At = None, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.incident import record

    def work(session, directory, language):
        ref, rest = _incident_and_rest(args, incident)
        if len(rest) != 1:
            raise UserError("error.field_required", field="STEP")
        found = record.find_incident(session, ref)
        before = _states(session, directory, found)
        record.tick(session, found, rest[0], record.parse_at(at), skip)
        session.flush()
        return _changed(session, directory, found, language, before)

    run(lang, as_json, work)


IncidentArg = Annotated[Optional[str], typer.Argument(metavar="INCIDENT", help=h("opt.incident_ref"))]


@incident_app.command("log", help=h("cmd.incident_log"))
def incident_log(
    incident_arg: IncidentArg = None,
    incident: IncidentRef = None,
    note: Annotated[Optional[str], typer.Option("--note", help=h("opt.note"))] = None,
    call: Annotated[Optional[str], typer.Option("--call", help=h("opt.call"))] = None,
    answered_by: Annotated[Optional[str], typer.Option("--answered-by", help=h("opt.answered_by"))] = None,
    reference: Annotated[Optional[str], typer.Option("--reference", help=h("opt.reference"))] = None,
    agreed: Annotated[Optional[str], typer.Option("--agreed", help=h("opt.agreed"))] = None,
    card: Annotated[Optional[str], typer.Option("--card", help=h("opt.card_ref"))] = None,
    card_status: Annotated[Optional[str], typer.Option("--card-status", help=h("opt.card_status"))] = None,
    at: At = None, as_json: JsonOpt = False, lang: LangOpt = None,
) -> None:
    from cardguard.incident import record
    from cardguard.incident.report import event_details, event_text

    def work(session, directory, language):
        found = record.find_incident(session, incident or incident_arg)
        before = _states(session, directory, found)
        events = record.log(session, found, record.parse_at(at), note=note, call=call, answered_by=answered_by,
                            reference=reference, agreed=agreed, card=card, card_status=card_status)
        said = [" · ".join([event_text(event, found, language), *(part["text"] for part in event_details(event, language))])
                for event in events]
        return _changed(session, directory, found, language, before, " / ".join(said))

    run(lang, as_json, work)


@incident_app.command("close", help=h("cmd.incident_close"))
def incident_close(incident_arg: IncidentArg = None, incident: IncidentRef = None,
                   summary: Annotated[Optional[str], typer.Option("--summary", help=h("opt.summary"))] = None,
                   yes: Annotated[bool, typer.Option("--yes", "-y", help=h("opt.yes"))] = False,
                   at: At = None, as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    import sys

    from cardguard.incident import record

    def work(session, directory, language):
        found = record.find_incident(session, incident or incident_arg)
        moment = record.parse_at(at)
        confirmed = yes
        try:
            record.close(session, found, moment, summary, confirmed=confirmed, directory=directory, lang=language)
        except UserError as error:
            if error.key != "error.steps_open":
                raise
            if not sys.stdin.isatty() or as_json:
                error.details.append(t("incident.close_anyway", language, id=found.id))
                raise
            out = console()
            out.print(error.message(language), markup=False)
            for line in error.details_in(language):
                out.print("  " + line, markup=False)
            if not typer.confirm(t("incident.close_confirm", language, id=found.id), default=False, err=True):
                raise UserError("error.not_confirmed") from None
            record.close(session, found, moment, summary, confirmed=True, directory=directory, lang=language)
        return _show(session, directory, found, language)

    run(lang, as_json, work)


@incident_app.command("export", help=h("cmd.incident_export"))
def incident_export(incident_arg: IncidentArg = None, incident: IncidentRef = None,
                    fmt: Annotated[str, typer.Option("--format", help=h("opt.report_format"))] = "md",
                    output: Annotated[Optional[Path], typer.Option("--output", "-o", help=h("opt.output"))] = None,
                    as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    import json
    import sys

    from cardguard.cli_wallet import registry_session
    from cardguard.directory import load_directory
    from cardguard.incident import record, report

    language = language_of(lang)
    try:
        fmt = "json" if as_json else fmt
        if fmt not in ("md", "html", "json"):
            raise UserError("error.field_choices_named", field="--format", choices="md, html, json")
        directory = load_directory()
        with registry_session() as session:
            ref = incident or incident_arg
            found = (record.find_incident(session, ref) if ref else _latest(session))
            data = report.view(session, directory, found, language, datetime.now(timezone.utc))
        text = {"md": report.markdown, "html": report.html}[fmt](data, language) if fmt != "json" \
            else json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
        if output:
            try:
                output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UserError("error.output_unwritable", path=str(output), **os_reason(exc)) from None
        else:
            from cardguard.output import visible

            # On a terminal, what a mail put in the timeline (its subject) is shown, never run as codes.
            sys.stdout.write(visible(text) if sys.stdout.isatty() else text)
    except UserError as error:
        raise typer.Exit(report_error(error, language, as_json)) from None


def _latest(session):
    from sqlalchemy import select

    from cardguard.store.models import Incident

    found = session.scalars(select(Incident).order_by(Incident.id.desc())).first()
    if found is None:
        raise UserError("error.no_open_incident")
    return found
