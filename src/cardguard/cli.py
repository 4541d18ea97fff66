"""The command line: a thin layer that parses options, calls the capability and prints the result."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from cardguard import __version__
from cardguard.cli_common import JsonOpt, LangOpt, h, language_of, read_input, verify_bytes
from cardguard.cli_incident import incident_app
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
    from cardguard.directory import load_directory
    from cardguard.directory.lookup import find_lines, own_card_line, resolve_purpose
    from cardguard.wallet import registered_card
    from cardguard.directory import render

    language = language_of(lang)
    try:
        directory = load_directory(language)
        if prepare:
            issuers = [directory.issuer(issuer)] if issuer else list(directory.issuers.values())
            if as_json:
                print_json([render.prepare_json(each, language) for each in issuers])
            else:
                for each in issuers:
                    render.print_prepare(each, language)
            return
        purpose_id = resolve_purpose(purpose) if purpose else None
        first = directory.issuer(issuer) if issuer else next(iter(directory.issuers.values()))
        moment = parse_moment(at, first.tz)
        own = registered_card(card) if card else None
        directory_card = card
        if own is not None:
            # The holder's own card: its product picks the directory lines, its back number comes first.
            issuer, directory_card = own.issuer, own.product
        lines = find_lines(directory, issuer=issuer, card=directory_card, purpose=purpose_id, country=country,
                           at=moment)
        if own is not None and own.back_number and not country:
            lines.insert(0, own_card_line(directory, own.issuer, own.product, own.back_number, own.nickname,
                                          purpose_id))
        if as_json:
            print_json([line.as_json(language, moment) for line in lines])
        else:
            render.print_contacts(directory, lines, language, moment, card=directory_card, purpose=purpose_id,
                                  issuer=issuer,
                                 country=country)
    except UserError as error:
        _fail(error, language, as_json)


@app.command("check", help=h("cmd.check.help"))
def check_cmd(
    path: Annotated[Optional[str], typer.Argument(help=h("cmd.check.path"))] = None,
    offline: Annotated[bool, typer.Option("--offline", help=h("cmd.check.offline"))] = False,
    resolver: Annotated[Optional[str], typer.Option("--resolver", help=h("cmd.check.resolver"))] = None,
    trust_authserv: Annotated[Optional[list[str]], typer.Option("--trust-authserv", help=h("cmd.check.trust"))] = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help=h("cmd.check.alias"))] = None,
    card: Annotated[Optional[str], typer.Option("--card", help=h("cmd.check.card"))] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    from cardguard.verify.render import print_verdict

    language = language_of(lang)
    try:
        verdict = verify_bytes(read_input(path), language, offline=offline, resolver=resolver, trust=trust_authserv,
                               alias=alias, card=card)
    except UserError as error:
        _fail(error, language, as_json)
    if as_json:
        print_json(verdict.as_json(language))
    else:
        print_verdict(verdict, language)


@app.command("serve", help=h("cmd.serve"))
def serve_cmd(
    host: Annotated[str, typer.Option("--host", help=h("opt.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=h("opt.port"))] = 8765,
    open_browser: Annotated[bool, typer.Option("--open", help=h("opt.open_browser"))] = False,
    set_passphrase: Annotated[bool, typer.Option("--set-passphrase", help=h("opt.set_passphrase"))] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    from cardguard.web import security

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
    except UserError as error:
        _fail(error, language, as_json)
    import uvicorn

    from cardguard.web.app import create_app

    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"
    if as_json:
        print_json({"url": url, "host": host, "port": port, "login_required": remote})
        sys.stdout.flush()
    else:
        print(t("web.serving", language, url=url), flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    uvicorn.run(create_app(require_login=remote), host=host, port=port, log_level="warning")


def main() -> None:
    lang = detect_lang(sys.argv)
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
