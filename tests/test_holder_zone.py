"""Every front end shows times in the holder's zone by one rule (cardguard.when.holder_zone): a `tz`
in config.toml was honoured by the web but not by `incident show` or `mail scan`, which showed the
machine's zone (UTC on a server) while `contacts` spoke Japan time."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cardguard.web.app import create_app
from test_mail_scan import write_mbox
from test_mail_scan_store import phishing

UTC_MACHINE = {"TZ": "UTC"}


def _configure(profile, zone: str) -> None:
    (profile / "config" / "config.toml").write_text(f'tz = "{zone}"\n', encoding="utf-8")


def test_the_timeline_is_shown_in_the_configured_zone(cardguard, profile):
    assert cardguard("incident", "start", "--kind", "unknown-code", env=UTC_MACHINE).code == 0
    assert cardguard("incident", "log", "--note", "called", "--at", "2026-11-21T14:30:00+00:00",
                     env=UTC_MACHINE).code == 0
    assert "2026-11-21 14:30 UTC" in cardguard("incident", "show", "--lang", "en", env=UTC_MACHINE).out
    _configure(profile, "Asia/Tokyo")
    shown = cardguard("incident", "show", "--lang", "en", env=UTC_MACHINE).out
    assert "2026-11-21 23:30 JST" in shown and "14:30" not in shown, shown
    # A moment typed without an offset is read in the same zone it is shown in.
    assert cardguard("incident", "log", "--note", "again", "--at", "2026-11-21T23:45", env=UTC_MACHINE).code == 0
    assert "2026-11-21 23:45 JST" in cardguard("incident", "show", "--lang", "en", env=UTC_MACHINE).out


def test_a_scan_lists_mails_in_the_configured_zone_as_the_web_does(cardguard, profile, tmp_path):
    raw = phishing().replace(b"Date: Fri, 21 Nov 2025 23:28:00 +0000", b"Date: Fri, 21 Nov 2025 23:29:40 +0900")
    path = tmp_path / "Inbox.mbox"
    write_mbox(path, [raw])
    listed = cardguard("mail", "scan", str(path), "--offline", "--lang", "en", env=UTC_MACHINE).out
    assert re.search(r"2025-11-21 14:29\b", listed), listed
    _configure(profile, "Asia/Tokyo")
    listed = cardguard("mail", "scan", str(path), "--offline", "--lang", "en", env=UTC_MACHINE).out
    assert re.search(r"2025-11-21 23:29 JST\b", listed) and "14:29" not in listed, listed
    page = TestClient(create_app(), base_url="http://127.0.0.1").get("/mail?lang=en").text
    assert "2025-11-21 23:29" in page and "14:29" not in page


def test_an_unknown_configured_zone_is_an_error_not_utc(cardguard, profile):
    assert cardguard("incident", "start", "--kind", "unknown-code").code == 0
    for wrong in ("Asia/Tokio", "JST", ""):
        _configure(profile, wrong)
        run = cardguard("incident", "show", "--json")
        message = run.json()["error"]["message"]
        # Named with its file, line and field, as every other mistake in config.toml.
        assert run.code == 2 and "config.toml, line 1, field tz: " in message and f"{wrong!r}" in message, run


def test_a_mistake_elsewhere_in_config_never_stops_the_timeline(cardguard, profile):
    """Reading the zone from config.toml made any problem in the file (a misspelt key for `check`)
    stop `incident start` and `incident log`: the holder stopping a lost card could log nothing."""
    (profile / "config" / "config.toml").write_text('tz = "Asia/Tokyo"\nbogus = 1\n', encoding="utf-8")
    assert cardguard("incident", "start", "--kind", "lost-or-stolen", env=UTC_MACHINE).code == 0
    assert cardguard("incident", "log", "--note", "called", "--at", "2026-11-21T23:30", env=UTC_MACHINE).code == 0
    assert "2026-11-21 23:30 JST" in cardguard("incident", "show", "--lang", "en", env=UTC_MACHINE).out
    # `check` reads the rest of the file, and says what is wrong with it.
    assert "field bogus" in cardguard("check", "-", "--offline", input=b"Subject: x\r\n\r\nx\r\n").err
    (profile / "config" / "config.toml").write_text("tz = " + "[" * 2000 + "]" * 2000 + "\n", encoding="utf-8")
    # Arrays nested past what the TOML reader can follow: said by `check`, not a crash (exit 70).
    run = cardguard("check", "-", "--offline", "--json", input=b"Subject: x\r\n\r\nx\r\n")
    assert run.code == 2 and "nested too deep" in run.json()["error"]["message"], run
    assert cardguard("incident", "show", "--json").code == 0


def test_the_call_page_answers_whatever_config_says(cardguard, profile):
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    for wrong in ('tz = 9\n', 'tz = "Nowhere/City"\n', "bogus = 1\n"):
        (profile / "config" / "config.toml").write_text(wrong, encoding="utf-8")
        page = client.get("/call?lang=en")
        assert page.status_code == 200 and "0120-020120" in page.text, wrong


def test_a_file_of_the_zone_database_that_is_no_place_is_not_a_zone(cardguard, profile):
    assert cardguard("incident", "start", "--kind", "unknown-code").code == 0
    for name in ("Factory", "posixrules", "localtime", "posix/Asia/Tokyo"):
        _configure(profile, name)
        run = cardguard("incident", "show", "--json")
        assert run.code == 2 and "field tz" in run.json()["error"]["message"], (name, run)
