"""`cardguard mail`: thin commands over mailbox/."""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Optional

import typer

from cardguard.cli_common import JsonOpt, LangOpt, h, language_of
from cardguard.errors import UserError
from cardguard.i18n import Lang, t
from cardguard.output import console, print_json, report_error
from cardguard.when import holder_zone

mail_app = typer.Typer(help=h("mail.cmd.help"), no_args_is_help=True, rich_markup_mode=None)

Offline = Annotated[bool, typer.Option("--offline", help=h("cmd.check.offline"))]
Resolver = Annotated[Optional[str], typer.Option("--resolver", help=h("cmd.check.resolver"))]
Trust = Annotated[Optional[list[str]], typer.Option("--trust-authserv", help=h("cmd.check.trust"))]
Alias = Annotated[Optional[list[str]], typer.Option("--alias", help=h("cmd.check.alias"))]
Everything = Annotated[bool, typer.Option("--all", help=h("mail.opt.all"))]
AccountOpt = Annotated[Optional[str], typer.Option("--account", help=h("mail.opt.account"))]


def _fail(error: UserError, language: Lang, as_json: bool):
    raise typer.Exit(report_error(error, language, as_json))


def _fail_line(error: UserError, language: Lang, as_json: bool):
    """For the commands whose --json is one object per line: the error is one line too, after the
    messages already said."""
    if not as_json:
        _fail(error, language, as_json)
    _line(error.as_json(language))
    raise typer.Exit(error.exit_code)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _store():
    from cardguard.store.db import Store

    return Store()


def _line(value: dict) -> None:
    """One JSON object per line, flushed: `--json` output a script can read while it runs."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def parse_since(value: str) -> date:
    found = re.fullmatch(r"\s*(\d{1,4})\s*([dwh]?)\s*", value or "")
    if found:
        amount, unit = int(found.group(1)), found.group(2) or "d"
        delta = {"d": timedelta(days=amount), "w": timedelta(weeks=amount), "h": timedelta(hours=amount)}[unit]
        return (datetime.now(timezone.utc) - delta).date()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserError("error.mail_bad_since", value=value) from None


# ------------------------------------------------------------------------------------------ accounts

@mail_app.command("add", help=h("mail.cmd.add"))
def add_cmd(
    name: Annotated[Optional[str], typer.Argument(help=h("mail.arg.name"))] = None,
    preset: Annotated[Optional[str], typer.Option("--preset", help=h("mail.opt.preset"))] = None,
    host: Annotated[Optional[str], typer.Option("--host", help=h("mail.opt.host"))] = None,
    port: Annotated[Optional[int], typer.Option("--port", help=h("mail.opt.port"))] = None,
    user: Annotated[Optional[str], typer.Option("--user", help=h("mail.opt.user"))] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help=h("mail.opt.password_stdin"))] = False,
    ca_file: Annotated[Optional[str], typer.Option("--ca-file", help=h("mail.opt.ca_file"))] = None,
    no_test: Annotated[bool, typer.Option("--no-test", help=h("mail.opt.no_test"))] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    from pathlib import Path

    from cardguard.mailbox import accounts, imap
    from cardguard.mailbox.presets import presets

    language = language_of(lang)
    ask = _interactive() and not as_json
    try:
        def need(value, option: str, prompt_key: str, **prompt_opts):
            if value not in (None, ""):
                return value
            if not ask:
                raise UserError("error.mail_missing_option", option=option)
            return typer.prompt(t(prompt_key, language), **prompt_opts)

        name = need(name, "NAME", "mail.prompt.name")
        preset = need(preset, "--preset", "mail.prompt.preset", default="imap")
        if preset not in presets():
            raise UserError("error.mail_bad_preset", preset=preset, known="|".join(presets()))
        chosen = presets()[preset]
        if ask and not password_stdin:
            console().print(chosen.password_help(language), markup=False)
            if chosen.password_source_url:
                console().print(f"  {chosen.password_source}: {chosen.password_source_url}", markup=False)
        host = host or chosen.host
        host = need(host, "--host", "mail.prompt.host")
        port = port or chosen.port
        user = need(user, "--user", "mail.prompt.user")
        if password_stdin:
            secret = sys.stdin.readline().rstrip("\r\n")
        elif ask:
            secret = typer.prompt(t("mail.prompt.password", language), hide_input=True)
        else:
            raise UserError("error.mail_missing_option", option="--password-stdin")
        if not secret:
            raise UserError("error.mail_empty_password")
        if ca_file is not None:
            ca_file = str(Path(ca_file).expanduser().resolve())
        # The provider's authserv-id counts only once the holder confirmed it with `mail test`.
        account = imap.Account(name, preset, host, int(port), user, ca_file, None)
        if not no_test:
            # A mailbox that cannot be opened is not saved: the holder finds out now, not at midnight.
            imap.close(imap.connect(account, secret))
        store = _store()
        where = accounts.add(store, account, secret)
    except UserError as error:
        _fail(error, language, as_json)
    in_keyring = where == "keyring"
    if as_json:
        print_json({"account": name, "preset": preset, "host": host, "port": int(port), "user": user,
                    "secret_stored_in": "keyring" if in_keyring else "file", "secret_file": None if in_keyring else where,
                    "authserv_id": None, "preset_authserv_id": chosen.authserv_id})
        return
    out = console()
    out.print(t("mail.added", language, name=name, host=host, port=port), markup=False)
    out.print(t("mail.secret_keyring" if in_keyring else "mail.secret_file", language, path=where), markup=False)
    out.print(t("mail.next_test", language, name=name), markup=False)


@mail_app.command("list", help=h("mail.cmd.list"))
def list_cmd(as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    from cardguard.mailbox import accounts
    from cardguard.mailbox.presets import presets

    language = language_of(lang)
    try:
        found = accounts.all_accounts(_store())
    except UserError as error:
        _fail(error, language, as_json)
    if as_json:
        print_json([{"account": a.name, "preset": a.preset, "host": a.host, "port": a.port, "user": a.username,
                     "ca_file": a.ca_file, "authserv_id": a.authserv_id, "ntfy": a.has_ntfy} for a in found])
        return
    out = console()
    if not found:
        out.print(t("mail.none", language))
    for a in found:
        trusted = a.authserv_id or t("mail.authserv_unconfirmed", language)
        out.print(f"{a.name}  {presets()[a.preset].name if a.preset in presets() else a.preset}  "
                  f"{a.username} @ {a.host}:{a.port}  authserv-id: {trusted}"
                  + ("  ntfy ✓" if a.has_ntfy else ""), markup=False)


@mail_app.command("remove", help=h("mail.cmd.remove"))
def remove_cmd(name: Annotated[str, typer.Argument(help=h("mail.arg.name"))], as_json: JsonOpt = False,
               lang: LangOpt = None) -> None:
    from cardguard.mailbox import accounts

    language = language_of(lang)
    try:
        accounts.remove(_store(), name)
    except UserError as error:
        _fail(error, language, as_json)
    if as_json:
        print_json({"removed": name})
    else:
        console().print(t("mail.removed", language, name=name), markup=False)


@mail_app.command("test", help=h("mail.cmd.test"))
def test_cmd(
    name: Annotated[Optional[str], typer.Argument(help=h("mail.arg.name"))] = None,
    confirm_authserv: Annotated[Optional[str], typer.Option("--confirm-authserv", help=h("mail.opt.confirm_authserv"))] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    from cardguard.mailbox import accounts, probe

    language = language_of(lang)
    try:
        store = _store()
        account = accounts.get(store, name)[0]
        found = probe.probe(account, accounts.password(account))
        confirmed = None
        printed = False
        if confirm_authserv:
            if confirm_authserv.lower() not in [a.lower() for a in found["authserv_ids"]] and \
                    confirm_authserv.lower() != (account.authserv_id or "").lower():
                raise UserError("error.mail_authserv_not_seen", authserv=confirm_authserv,
                                seen=", ".join(found["authserv_ids"]) or "-")
            confirmed = confirm_authserv.lower()
        elif found["authserv_ids"] and _interactive() and not as_json:
            _print_probe(found, account, language)
            if typer.confirm(t("mail.confirm_authserv", language, authserv=found["authserv_ids"][0]), default=False):
                confirmed = found["authserv_ids"][0]
            printed = True
        if confirmed:
            accounts.confirm_authserv(store, account.name, confirmed)
    except UserError as error:
        _fail(error, language, as_json)
    if as_json:
        print_json({**found, "account": account.name, "authserv_id_confirmed": confirmed or account.authserv_id,
                    "preset_authserv_id": _preset_authserv(account)})
        return
    if not printed:
        _print_probe(found, account, language)
    if confirmed:
        console().print(t("mail.authserv_confirmed", language, authserv=confirmed), markup=False)


def _preset_authserv(account) -> str | None:
    from cardguard.mailbox.presets import presets

    return presets()[account.preset].authserv_id if account.preset in presets() else None


def _print_probe(found: dict, account, language: Lang) -> None:
    out = console()
    out.print(t("mail.test_ok", language, name=account.name, host=account.host), markup=False)
    for folder in found["folders"]:
        mark = "  ← " + t("mail.junk_folder", language) if folder["name"] == found["junk"] else ""
        out.print(f"  {folder['name']}  {' '.join(folder['flags'])}{mark}", markup=False)
    if not found["junk"]:
        out.print(t("mail.no_junk", language), markup=False)
    if found["authserv_ids"]:
        out.print(t("mail.authserv_seen", language, authserv=", ".join(found["authserv_ids"]),
                    count=found["messages_looked_at"]), markup=False)
        expected = _preset_authserv(account)
        if expected:
            out.print(t("mail.authserv_expected" if expected in found["authserv_ids"] else "mail.authserv_unexpected",
                        language, authserv=expected), markup=False)
        if not account.authserv_id:
            out.print(t("mail.authserv_how", language, name=account.name, authserv=found["authserv_ids"][0]),
                      markup=False)
    else:
        out.print(t("mail.authserv_none", language, count=found["messages_looked_at"]), markup=False)
    if account.authserv_id:
        out.print(t("mail.authserv_trusted", language, authserv=account.authserv_id), markup=False)


# ------------------------------------------------------------------------------------------ checking

def _print_judged(judged, language: Lang) -> None:
    out = console()
    local = judged.date.astimezone(holder_zone()) if judged.date else None
    # With its zone, as `incident show` says it: a list on a server is otherwise read as local time.
    when = local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "") if local else "----"
    where = judged.source.get("folder") or judged.source.get("key")
    if judged.unreadable is not None:
        out.print(f"{when}  [{t('mail.unreadable', language)}]  {where}: {judged.unreadable.message(language)}",
                  markup=False)
        return
    v = judged.verdict
    label = t(f"verdict.{v.verdict}", language) if v else t("verdict.unrelated", language)
    style = {"genuine": "green", "phishing": "bold red", "suspicious": "yellow"}.get(v.verdict if v else "", "")
    out.print(f"{when}  ", end="", markup=False)
    out.print(f"[{label}]", style=style, end="", markup=False)
    out.print(f"  {judged.sender}  {judged.subject}  ({where})", markup=False)
    from cardguard.mailbox.alerts import alert_line

    line = alert_line(v, language) if v else None
    if line:
        out.print(f"    → {line}", markup=False)


def _summary(results: list, language: Lang) -> dict:
    counts: dict[str, int] = {}
    for judged in results:
        if judged.claims_issuer or judged.unreadable or judged.verdict:
            counts[judged.verdict_name] = counts.get(judged.verdict_name, 0) + 1
    return {"read": len(results), "issuer_mail": sum(1 for j in results if j.claims_issuer), "verdicts": counts}


def _print_summary(summary: dict, language: Lang) -> None:
    verdicts = ", ".join(f"{t('verdict.' + k, language) if k != 'unreadable' else t('mail.unreadable', language)} {v}"
                         for k, v in sorted(summary["verdicts"].items())) or "-"
    console().print(t("mail.summary", language, read=summary["read"], issuer=summary["issuer_mail"],
                      verdicts=verdicts), markup=False)


def _shown(judged, everything: bool) -> bool:
    return everything or judged.claims_issuer or judged.unreadable is not None


@mail_app.command("check", help=h("mail.cmd.check"))
def check_cmd(
    since: Annotated[str, typer.Option("--since", help=h("mail.opt.since"))] = "7d",
    account: AccountOpt = None,
    folder: Annotated[Optional[list[str]], typer.Option("--folder", help=h("mail.opt.folder"))] = None,
    everything: Everything = False,
    offline: Offline = False, resolver: Resolver = None, trust_authserv: Trust = None, alias: Alias = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    from cardguard.cli_common import check_setup
    from cardguard.mailbox import accounts
    from cardguard.mailbox.run import check_account

    language = language_of(lang)
    results: list = []

    def show(judged) -> None:
        results.append(judged)

    def print_results() -> None:
        # Newest first across the inbox and the junk folder, by when each message reached the mailbox.
        oldest = datetime.min.replace(tzinfo=timezone.utc)
        for judged in sorted(results, key=lambda j: j.date or oldest, reverse=True):
            if _shown(judged, everything):
                if as_json:
                    _line(judged.as_json(language))
                else:
                    _print_judged(judged, language)

    try:
        start = parse_since(since)
        store = _store()
        directory, options = check_setup(language, offline=offline, resolver=resolver, trust=trust_authserv,
                                         alias=alias, store=store)
        for each in accounts.get(store, account):
            check_account(store, each, directory, options, since=start, everything=everything, folders=folder,
                          on_result=show)
    except UserError as error:
        # What was checked before the error is recorded and will not be read again: it is said now.
        print_results()
        _fail_line(error, language, as_json)
    except KeyboardInterrupt:
        print_results()
        console().__class__(stderr=True).print(t("mail.scan_stopped", language, read=len(results)), markup=False)
        raise typer.Exit(130) from None
    print_results()
    if not as_json:
        _print_summary(_summary(results, language), language)


@mail_app.command("scan", help=h("mail.cmd.scan"))
def scan_cmd(
    path: Annotated[str, typer.Argument(help=h("mail.arg.path"))],
    everything: Everything = False,
    no_store: Annotated[bool, typer.Option("--no-store", help=h("mail.opt.no_store"))] = False,
    offline: Offline = False, resolver: Resolver = None, trust_authserv: Trust = None, alias: Alias = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    from contextlib import nullcontext

    from cardguard.cli_common import check_setup
    from cardguard.mailbox import scan
    from cardguard.mailbox.accounts import Recorder

    language = language_of(lang)
    summary = {"read": 0, "issuer_mail": 0, "verdicts": {}}
    progress = None
    recorder = None
    try:
        store = None if no_store else _store()
        directory, options = check_setup(language, offline=offline, resolver=resolver, trust=trust_authserv,
                                         alias=alias, store=store)
        if sys.stderr.isatty() and not as_json:
            from rich.progress import Progress

            from cardguard.output import console as holder_console

            progress = Progress(transient=True, console=holder_console(stderr=True))
            progress.start()
            task = progress.add_task(t("mail.scanning", language), total=scan.count_hint(path))
        recorder = None if store is None else Recorder(store)
        # Whatever ends the scan (the end, a bad file, Ctrl-C), what was checked is recorded.
        with recorder if recorder is not None else nullcontext():
            for judged in scan.scan(path, directory, options, everything=everything, recorder=recorder):
                summary["read"] += 1
                if judged.claims_issuer:
                    summary["issuer_mail"] += 1
                if judged.claims_issuer or judged.unreadable or (everything and judged.verdict):
                    summary["verdicts"][judged.verdict_name] = summary["verdicts"].get(judged.verdict_name, 0) + 1
                if progress is not None:
                    progress.advance(task)
                if _shown(judged, everything):
                    if as_json:
                        _line(judged.as_json(language))
                    else:
                        _print_judged(judged, language)
    except UserError as error:
        if progress is not None:
            progress.stop()
        _fail_line(error, language, as_json)
    except KeyboardInterrupt:
        if progress is not None:
            progress.stop()
        console().__class__(stderr=True).print(t("mail.scan_stopped", language, read=summary["read"]), markup=False)
        raise typer.Exit(130) from None
    if progress is not None:
        progress.stop()
    if not as_json:
        _print_summary(summary, language)
        if recorder is not None:
            console().print(t("mail.scan_stored", language, stored=recorder.stored, known=recorder.known),
                            markup=False)


@mail_app.command("watch", help=h("mail.cmd.watch"))
def watch_cmd(
    account: AccountOpt = None,
    ntfy: Annotated[Optional[str], typer.Option("--ntfy", help=h("mail.opt.ntfy"))] = None,
    no_desktop: Annotated[bool, typer.Option("--no-desktop", help=h("mail.opt.no_desktop"))] = False,
    offline: Offline = False, resolver: Resolver = None, trust_authserv: Trust = None, alias: Alias = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    import os

    from cardguard.cli_common import check_setup
    from cardguard.mailbox import accounts, alerts
    from cardguard.mailbox.run import Watch
    from cardguard.mailbox.secrets import shown_topic

    language = language_of(lang)
    err = console().__class__(stderr=True, highlight=False, soft_wrap=True)
    try:
        store = _store()
        chosen = accounts.get(store, account)
        if len(chosen) > 1:
            raise UserError("error.mail_watch_one", known=", ".join(a.name for a in chosen))
        watched = chosen[0]
        if ntfy:
            if not re.match(r"^https?://[^/\s]+/\S+$", ntfy):
                raise UserError("error.mail_bad_ntfy")
            accounts.remember_ntfy(store, watched.name, ntfy)
            watched = accounts.get(store, watched.name)[0]
        push_url = accounts.ntfy_url(watched)
        directory, options = check_setup(language, offline=offline, resolver=resolver, trust=trust_authserv,
                                         alias=alias, store=store)
    except UserError as error:
        _fail_line(error, language, as_json)
    desktop = None if no_desktop else alerts.Desktop()

    def on_result(judged) -> None:
        if judged.verdict is None and judged.unreadable is None:
            return
        line = alerts.alert_line(judged.verdict, language) if judged.verdict else None
        if judged.unreadable is not None and judged.claims_issuer:
            line = t("mail.alert.unreadable", language)
        if line is None:
            return
        pushed = alerts.push_ntfy(push_url, line, judged.verdict_name) if push_url else None
        if pushed is False:
            err.print(t("mail.ntfy_failed", language, topic=shown_topic(push_url)), markup=False)
        if desktop is not None and not desktop.send("cardguard", line) and not desktop.told:
            desktop.told = True
            err.print(t("mail.no_desktop", language), markup=False)
        if as_json:
            _line({"alert": line, **judged.as_json(language), "pushed": pushed})
        else:
            _print_judged(judged, language)

    def on_state(state: str, info: dict) -> None:
        if state == "watching":
            err.print(t("mail.watching", language, name=watched.name, folders=", ".join(info["folders"]),
                        ntfy=shown_topic(push_url) if push_url else "-"), markup=False)
        elif state == "reconnecting":
            error = info["error"]
            reason = error.message(language) if isinstance(error, UserError) else type(error).__name__
            err.print(t("mail.reconnecting", language, wait=info["wait"], reason=reason), markup=False)

    backoff = os.environ.get("CARDGUARD_MAIL_BACKOFF")
    watch = Watch(store, watched, directory, options, on_result=on_result, on_state=on_state,
                  **({"backoff": tuple(float(x) for x in backoff.split(","))} if backoff else {}))
    try:
        watch.run()
    except UserError as error:
        _fail_line(error, language, as_json)
    except KeyboardInterrupt:
        watch.stopped = True
        err.print(t("mail.watch_stopped", language), markup=False)
        raise typer.Exit(0) from None
