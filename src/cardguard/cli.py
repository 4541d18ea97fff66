"""The command line: a thin layer that parses options, calls the capability and prints the result."""

from __future__ import annotations

import os
import sys
from datetime import timezone
from typing import Annotated, Optional

import typer

from cardguard import __version__
from cardguard.cli_common import JsonOpt, LangOpt, h, language_of, read_input
from cardguard.cli_incident import incident_app
from cardguard.cli_mail import mail_app
from cardguard.cli_statements import statements_app
from cardguard.cli_wallet import cards_app, reissue_app, services_app
from cardguard.errors import UserError
from cardguard.i18n import Lang, detect_lang, t
from cardguard.output import print_json, report_error
from cardguard.when import parse_moment

app = typer.Typer(
    help=h("app.help"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


app.add_typer(cards_app, name="cards")
app.add_typer(services_app, name="services")
app.add_typer(reissue_app, name="reissue")
app.add_typer(incident_app, name="incident")
app.add_typer(mail_app, name="mail")
app.add_typer(statements_app, name="statements")


def _fail(error: UserError, lang: Lang, as_json: bool) -> None:
    raise typer.Exit(report_error(error, lang, as_json))


def _version(value: bool) -> None:
    if value:
        print(f"cardguard {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help=h("opt.version"))] = False,
    lang: LangOpt = None,
) -> None:
    # --lang before the command (`cardguard --lang ja --help`) was read before parsing (HELP_LANG)
    # and holds for the command (language_of); here it is only checked.
    if lang is not None:
        language_of(lang)


@app.command("contacts", help=h("cmd.contacts"))
def contacts_cmd(
    issuer: Annotated[Optional[str], typer.Option("--issuer", help=h("opt.issuer"))] = None,
    card: Annotated[Optional[str], typer.Option("--card", help=h("opt.card"))] = None,
    purpose: Annotated[Optional[str], typer.Option("--purpose", help=h("opt.purpose"))] = None,
    country: Annotated[Optional[str], typer.Option("--country", help=h("opt.country"))] = None,
    at: Annotated[Optional[str], typer.Option("--at", help=h("opt.at"))] = None,
    prepare: Annotated[bool, typer.Option("--prepare", help=h("opt.prepare"))] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    from cardguard.directory import load_directory, render
    from cardguard.directory.calls import HolderCard, whom_to_call
    from cardguard.wallet import registered_card

    language = language_of(lang)
    try:
        directory = load_directory()
        if prepare:
            from cardguard.directory.lookup import resolve_purpose

            issuers = [directory.issuer(issuer)] if issuer else list(directory.issuers.values())
            purposes = {resolve_purpose(purpose)} if purpose else None
            if as_json:
                print_json([render.prepare_json(each, language, purposes) for each in issuers])
            else:
                for each in issuers:
                    render.print_prepare(each, language, purposes)
            return
        # Without an offset, --at is read on the directory's clock (every issuer's hours are in it).
        zones = {str(each.tz): each.tz for each in directory.issuers.values()}
        moment = parse_moment(at, next(iter(zones.values())) if len(zones) == 1 else timezone.utc)
        own = registered_card(card) if card else None
        answer = whom_to_call(directory, at=moment, card=HolderCard.of(own) if own is not None else None,
                              product=None if own is not None else card, issuer=issuer, purpose=purpose,
                              country=country)
        if as_json:
            print_json(answer.as_json(language))
        else:
            render.print_answer(answer, language)
    except UserError as error:
        _fail(error, language, as_json)


@app.command("check", help=h("cmd.check.help"))
def check_cmd(
    paths: Annotated[Optional[list[str]], typer.Argument(help=h("cmd.check.path"), show_default=False)] = None,
    offline: Annotated[bool, typer.Option("--offline", help=h("cmd.check.offline"))] = False,
    resolver: Annotated[Optional[str], typer.Option("--resolver", help=h("cmd.check.resolver"))] = None,
    trust_authserv: Annotated[Optional[list[str]], typer.Option("--trust-authserv", help=h("cmd.check.trust"))] = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help=h("cmd.check.alias"))] = None,
    card: Annotated[Optional[str], typer.Option("--card", help=h("cmd.check.card"))] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help=h("cmd.check.jobs"), show_default=False)] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    language = language_of(lang)
    from cardguard.verify.batch import MAX_JOBS

    if jobs is not None and not 1 <= jobs <= MAX_JOBS:
        _fail(UserError("batch.bad_jobs", given=jobs if jobs < 10**12 else f"{str(jobs)[:12]}…", most=MAX_JOBS), language, as_json)
    if paths and (len(paths) > 1 or os.path.isdir(paths[0])):
        from cardguard.cli_check import check_many

        raise typer.Exit(check_many(paths, language, as_json=as_json, jobs=jobs, offline=offline, resolver=resolver,
                                    trust=trust_authserv, alias=alias, card=card))
    try:
        from cardguard.output import working
        from cardguard.verify.run import verify_bytes

        raw = read_input(paths[0] if paths else None)
        with working(t("check.working_offline" if offline else "check.working_live", language)):
            verdict = verify_bytes(raw, language, offline=offline, resolver=resolver, trust=trust_authserv,
                                   alias=alias, card=card)
    except UserError as error:
        _fail(error, language, as_json)
    command = None
    if "next.otp_incident" in verdict.next_steps:
        from cardguard.cli_common import incident_command

        command = incident_command(paths[0] if paths else None, offline=offline, resolver=resolver,
                                   trust=trust_authserv, alias=alias, card=card)
    if as_json:
        print_json({**verdict.as_json(language), **({"incident_command": command} if command else {})})
    else:
        from cardguard.verify.render import print_verdict  # Rich: only for text

        print_verdict(verdict, language)
        if command:
            from cardguard.output import console

            console().print("\n" + t("holder.incident_command", language, command=command), markup=False)


@app.command("serve", help=h("cmd.serve"))
def serve_cmd(
    host: Annotated[str, typer.Option("--host", help=h("opt.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=h("opt.port"))] = 8765,
    open_browser: Annotated[bool, typer.Option("--open", help=h("opt.open_browser"))] = False,
    set_passphrase: Annotated[bool, typer.Option("--set-passphrase", help=h("opt.set_passphrase"))] = False,
    cert: Annotated[Optional[str], typer.Option("--cert", help=h("webserve.opt_cert"))] = None,
    key: Annotated[Optional[str], typer.Option("--key", help=h("webserve.opt_key"))] = None,
    name: Annotated[Optional[list[str]], typer.Option("--name", help=h("webserve.opt_name"))] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    from cardguard import paths
    from cardguard.web import security, serving

    language = language_of(lang)
    try:
        if set_passphrase:
            first = typer.prompt(t("web.enter_passphrase", language), hide_input=True)
            second = typer.prompt(t("web.repeat_passphrase", language), hide_input=True)
            if first != second:
                raise UserError("error.passphrase_mismatch")
            security.save_passphrase(first)
            if as_json:
                print_json({"passphrase_file": str(security.passphrase_file())})
            else:
                print(t("web.passphrase_saved", language, path=security.passphrase_file()))
            return
        remote = not security.is_loopback(host)
        if remote and not security.stored_passphrase():
            raise UserError("error.needs_passphrase", host=host)
        if os.environ.get("CARDGUARD_TZ"):
            from cardguard.when import zone_named

            zone_named(os.environ["CARDGUARD_TZ"])
        listening = serving.bind(host, port)
        every = host in serving.WILDCARDS
        names = [n.strip().lower() for n in name or [] if n.strip()] + (serving.host_names() if every else [])
        addresses = serving.lan_addresses() if every else ([host] if remote else [])
        # Off loopback the passphrase and session travel the network: HTTPS, with the holder's own
        # certificate or one made for this machine.
        tls = serving.certificate(paths.config_dir(), names, addresses, cert, key) if (remote or cert or key) else None
    except UserError as error:
        _fail(error, language, as_json)
    import uvicorn

    from cardguard.web.app import create_app

    shown = serving.urls(host, port, "https" if tls else "http")
    if as_json:
        print_json({"url": shown[0], "urls": shown, "host": host, "port": port, "login_required": remote,
                    "certificate": str(tls.cert) if tls else None})
        sys.stdout.flush()
    else:
        for url in shown:
            print(t("web.serving", language, url=url), flush=True)
        if remote:
            print(t("webserve.scan", language))
            print(serving.qr_text(shown[0]), flush=True)
        if tls and not cert:
            print(t("webserve.install_cert", language, path=tls.cert, url=shown[0] + "certificate"), flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(shown[0])
    app_ = create_app(require_login=remote, hosts=[host, *names, *addresses],
                      certificate=tls.cert if tls and not cert else None)
    config = uvicorn.Config(app_, log_level="warning", ssl_certfile=str(tls.cert) if tls else None,
                            ssl_keyfile=str(tls.key) if tls else None)
    uvicorn.Server(config).run(sockets=[listening])


def _build_only_the_command_named(argv: list[str]) -> None:
    """Typer turns every command's signature into click parameters on each run (~50-100 ms for all
    of them); a run that names a command needs only that one. Anything else (no command, --help,
    a misspelt name) keeps them all, so listings and "no such command" stay as they were."""
    name = next((arg for arg in argv if not arg.startswith("-")), None)
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if commands or groups:
        app.registered_commands, app.registered_groups = commands, groups


def main() -> None:
    lang = detect_lang(sys.argv)
    _build_only_the_command_named(sys.argv[1:])
    try:
        # Standalone mode: usage errors print click's own message (naming the option) and exit 2.
        app()
    except KeyboardInterrupt:
        print(t("app.interrupted", lang), file=sys.stderr)
        sys.exit(130)
    except UserError as error:
        sys.exit(report_error(error, lang, "--json" in sys.argv))
    except Exception as error:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("CARDGUARD_DEBUG"):
            raise
        message = t("app.internal_error", lang, kind=type(error).__name__)
        if "--json" in sys.argv:
            print_json({"error": {"code": "internal", "message": message, "details": []}})
        else:
            print(message, file=sys.stderr)
        sys.exit(70)


if __name__ == "__main__":
    main()
