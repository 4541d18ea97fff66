"""Speed must never change an answer, and the commands that need little must load little.

Timing itself is measured in benchmarks/ (ratios against a baseline in the same run), never here:
these tests check what the speed work relies on (what gets imported, what is precomputed, what the
whole corpus's verdicts are)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from mailkit import message

ROOT = Path(__file__).resolve().parents[1]
# Pydantic too: cardguard's records are read without it, and Typer is held below 0.29 (pyproject.toml),
# which read every option through it.
HEAVY = {"sqlalchemy", "alembic", "dkim", "dns", "spf", "requests", "holidays", "uvicorn", "fastapi", "pydantic"}

PROBE = """
import runpy, sys
sys.argv = ["cardguard", *sys.argv[1:]]
try:
    runpy.run_module("cardguard", run_name="__main__")
except SystemExit:
    pass
loaded = sorted({name.split(".")[0] for name in sys.modules})
sys.__stderr__.write("\\nLOADED " + " ".join(loaded) + "\\n")
"""


def loaded_by(args: list[str], env: dict) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, env=env, timeout=120)
    line = proc.stderr.decode().rsplit("LOADED ", 1)[-1]
    return set(line.split())


@pytest.fixture
def probe_env(profile):
    return {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "", "COLUMNS": "120"}


@pytest.mark.parametrize("with_database", [False, True], ids=["no database", "card database"])
def test_commands_that_need_no_network_load_no_heavy_library(cardguard, probe_env, profile, tmp_path, with_database):
    if with_database:
        assert cardguard("cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005",
                         "--alias", "amex.7f3k@icloud.com").code == 0
    mail = tmp_path / "mail.eml"
    mail.write_bytes(message())
    for args in (["--help"], ["check", "--help"], ["contacts", "--card", "amex"], ["contacts", "--card", "main"],
                 ["check", "--offline", str(mail)], ["check", "--offline", "--json", str(mail)]):
        loaded = loaded_by(args, probe_env)
        assert "cardguard" in loaded, args  # the probe ran the command
        assert not loaded & HEAVY, (args, sorted(loaded & HEAVY))
    assert (profile / "data" / "cardguard.db").exists() == with_database
    # Help needs no text renderer (Rich); JSON no Rich.
    assert "rich" not in loaded_by(["--help"], probe_env)
    assert "rich" not in loaded_by(["check", "--offline", "--json", str(mail)], probe_env)


def test_checking_online_still_loads_the_dns_libraries(probe_env, tmp_path):
    # The other side of the laziness: without --offline the authentication really runs (against a
    # resolver on a closed loopback port, so nothing leaves the machine).
    mail = tmp_path / "mail.eml"
    mail.write_bytes(message())
    loaded = loaded_by(["check", "--resolver", "127.0.0.1:9", str(mail)], probe_env)
    assert {"dkim", "dns", "spf"} <= loaded


def test_japanese_holidays_are_the_packages_own():
    """Shipped for 2020-2040 (directory/holidays/JP.json), the package itself beyond: either way the
    holidays package's dates and names, in both languages."""
    import holidays

    from cardguard.directory.hours import _shipped, holiday_calendar, holiday_name

    years, _ = _shipped("JP")
    assert years.start <= date.today().year < years.stop - 5
    span = range(years.start - 1, years.stop + 2)  # one year each side: the package's own answers
    reference = {lang: holidays.country_holidays("JP", years=span, language=lang) for lang in ("ja", "en_US")}
    day = date(span.start, 1, 1)
    while day.year < span.stop:
        assert (day in holiday_calendar("JP")) == (day in reference["ja"]), day
        assert holiday_name("JP", day, "ja") == reference["ja"].get(day), day
        assert holiday_name("JP", day, "en") == reference["en_US"].get(day), day
        day += timedelta(days=1)
    assert datetime(2025, 11, 24, 10, 0) in holiday_calendar("JP")  # 振替休日, asked with a time of day


def test_shipped_confusables_table_is_unicodes():
    from cardguard.verify.skeleton import _prototypes, parse_confusables, skeleton

    assert _prototypes() == parse_confusables()
    assert skeleton("аmex") == skeleton("amex")  # Cyrillic а


def corpus_folder() -> Path:
    from corpus_pin import corpus_folder as found

    folder = found()
    if folder is None:
        pytest.fail("the phishing corpus was not found in a shared/corpus/phishing folder above the checkout; "
                    "set CARDGUARD_CORPUS to its folder")
    return folder


def summary(result: dict) -> dict:
    """A `check --json` line in the form of the corpus pin (tests/corpus_pin.py)."""
    if "error" in result:
        return {"error": result["error"]["code"]}
    return {"verdict": result["verdict"], "codes": sorted({f["code"] for f in result["findings"]}),
            "decisive": sorted({f["code"] for f in result["findings"] if f["decisive"]})}


def test_checking_the_corpus_in_a_pool_gives_the_pinned_answers(cardguard):
    """`check FOLDER --jobs 2` (worker processes, one JSON line each) answers exactly what one
    check_message call per mail answers, as pinned in tests/fixtures/corpus_verdicts.json."""
    folder = corpus_folder()
    expected = json.loads((ROOT / "tests" / "fixtures" / "corpus_verdicts.json").read_text(encoding="utf-8"))
    run = cardguard("check", "--offline", "--json", "--jobs", "2", str(folder), timeout=600)
    assert run.code in (0, 1), run.err[-2000:]
    got = {}
    for line in run.out.splitlines():
        result = json.loads(line)
        got[Path(result["source"]).relative_to(folder).as_posix()] = summary(result)
    changed = {name: (expected.get(name), got.get(name)) for name in expected.keys() | got.keys()
               if expected.get(name) != got.get(name)}
    assert not changed, f"{len(changed)} verdicts changed, e.g. {list(changed.items())[:3]}"


def corpus_hosts() -> set[str]:
    """Every host a link or sender in the corpus names, and the JPCERT/CC phishing URLs' hosts."""
    import csv
    import re

    folder = corpus_folder()
    hosts: set[str] = set()
    pattern = re.compile(rb"(?:https?://|@)([^\s/\"'<>?#:@]+)", re.I)
    for path in sorted(folder.iterdir()):
        hosts.update(h.decode("utf-8", "replace").lower() for h in pattern.findall(path.read_bytes()))
    table = folder.parent / "jpcert-phishurl-2019-2023.csv"
    if table.exists():
        with open(table, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                hosts.add(row["URL"].lower())  # whole URLs: the host is read out of them as tldextract does
    return hosts


EDGE_HOSTS = [
    "www.americanexpress.co.jp", "forums.bbc.co.uk", "co.uk", "uk", "localhost", "bradesco", "a.b.c.kawasaki.jp",
    "city.kawasaki.jp", "www.city.kawasaki.jp", "kawasaki.jp", "x.ck", "www.ck", "a.www.ck", "foo.bar.ck",
    "user.github.io", "github.io", "s3.amazonaws.com", "bucket.s3.amazonaws.com", "xn--fiqs8s", "例え.xn--fiqs8s",
    "xn--r8jz45g.xn--zckzah", "例え.テスト", "ＡＭＥＸ．ｃｏｍ", "amex。com", "192.0.2.1", "[2001:db8::1]", "..com",
    ".com", "com.", "amex.com:443", "user@amex.com", "http://x.amex.co.jp/path?q#f", "//amex.com", "a..b.com",
    "xn--broken-.com", "*.ck", "!www.ck", "", ".", "a.b.c.d.e.f.g.h.blogspot.com", "aexp.amazonaws.com.cn",
]


def test_registrable_domains_are_what_tldextract_says():
    import tldextract

    from cardguard.verify.suffixes import registrable_domain

    reference = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
    hosts = sorted(corpus_hosts() | set(EDGE_HOSTS))
    assert len(hosts) > 5000
    differ = [(h, registrable_domain(h), reference(h).top_domain_under_public_suffix) for h in hosts
              if registrable_domain(h) != reference(h).top_domain_under_public_suffix]
    assert not differ, differ[:10]


def test_directory_is_read_once_per_process_and_again_when_a_user_file_changes(profile):
    from cardguard.directory import load_directory
    from cardguard.errors import UserError

    first = load_directory("en")
    assert load_directory("ja") is first  # the language only words errors
    overrides = profile / "config" / "overrides.toml"
    overrides.write_text('[[line]]\ncard = "amex"\npurpose = "fraud"\nnumber = "0120-111111"\n'
                         'source = "printed on the back of my card"\nas_of = 2026-11-01\n', encoding="utf-8")
    changed = load_directory("en")
    assert changed is not first and [o.number for o in changed.overrides] == ["0120-111111"]
    overrides.write_text(overrides.read_text(encoding="utf-8").replace("numbr", "x").replace("number", "numbr"),
                         encoding="utf-8")
    with pytest.raises(UserError):
        load_directory("en")  # a broken edit is refused, not hidden behind the cached copy
    overrides.unlink()
    assert load_directory("en").overrides == []


def test_building_only_the_named_command_changes_no_listing_or_usage_error(cardguard):
    listing = cardguard("--help").out
    for name in ("contacts", "check", "serve", "cards", "services", "reissue", "incident"):
        assert f"  {name} " in listing
    typo = cardguard("chek", "mail.eml")
    assert typo.code == 2 and "No such command 'chek'" in typo.err and "check" in typo.err
    assert "--jobs" in cardguard("check", "--help").out
    assert cardguard("cards", "list", "--json").json() == []
