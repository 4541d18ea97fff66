"""`cardguard statements` as a holder runs it: real files in each issuer's encoding, the real SQLite
store, the CLI in a subprocess."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

import statementkit as kit


@pytest.fixture
def amex_card(cardguard):
    assert cardguard("cards", "add", "--nickname", "アメックス", "--product", "amex", "--last4", "1005").code == 0
    return cardguard


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def monthly_amex(tmp_path: Path, month: int) -> str:
    rows = [(date(2026, month, 10), f"NETFLIX.COM*M5A{month}B3C4", "1,490", ""),
            (date(2026, month, 3 + month), f"スーパー{month}", f"{month * 1234:,}", ""),
            (date(2026, month, 25), "前回分口座振替金額", "-361,429", "")]
    if month == 2:
        rows.append((date(2026, 2, 14), "家電量販店", "89,800", ""))  # a one-off purchase
    return write(tmp_path, f"amex-2026-{month:02d}.csv", kit.amex(rows))


def database(profile: Path) -> sqlite3.Connection:
    (path,) = (profile / "data").glob("*.db")
    return sqlite3.connect(path)


def dump(profile: Path) -> str:
    with database(profile) as connection:
        return "\n".join(connection.iterdump())


def charges(profile: Path) -> int:
    with database(profile) as connection:
        return connection.execute("SELECT count(*) FROM statement_charges").fetchone()[0]


def test_netflix_found_across_three_monthly_files_imported_over_time(amex_card, tmp_path, profile):
    for month in (1, 2):
        run = amex_card("statements", "import", monthly_amex(tmp_path, month), "--card", "1005", "--json")
        assert run.code == 0, run.err
        assert run.json()["proposals"] == []  # two months are not yet a pattern
    run = amex_card("statements", "import", monthly_amex(tmp_path, 3), "--card", "1005", "--json")
    value = run.json()
    (file,) = value["files"]
    assert (file["layout"], file["encoding"], file["charges"], file["added"]) == ("amex_jp", "cp932", 2, 2)
    assert file["period"] == {"first": "2026-03-06", "last": "2026-03-10"}
    assert [s["reason"] for s in file["skipped"]] == ["not_merchant"]  # the repayment
    (netflix,) = value["proposals"]  # neither the one-off nor the varying supermarket
    assert (netflix["merchant"], netflix["cycle"], netflix["amount_text"]) == ("NETFLIX.COM", "monthly", "¥1,490")
    assert [e["date"] for e in netflix["evidence"]] == ["2026-01-10", "2026-02-10", "2026-03-10"]
    assert 28 <= netflix["interval_days"] <= 31 and netflix["next_charge"] == "2026-04-10"
    listed = amex_card("statements", "proposals", "--card", "アメックス")
    assert "NETFLIX.COM" in listed.out and "2026-01-10, 2026-02-10, 2026-03-10" in listed.out
    assert "家電量販店" not in listed.out


def test_the_same_file_again_adds_nothing_and_an_overlapping_one_only_what_is_new(amex_card, tmp_path, profile):
    first = monthly_amex(tmp_path, 1)
    assert amex_card("statements", "import", first, "--card", "1005").code == 0
    before = charges(profile)
    again = amex_card("statements", "import", first, "--card", "1005", "--json").json()["files"][0]
    assert again["already_imported"] and again["added"] == 0 and charges(profile) == before
    text = amex_card("statements", "import", first, "--card", "1005", "--lang", "ja")
    assert "取り込み済み" in text.out and charges(profile) == before
    # The month's statement downloaded again later, with one more charge: only that one is added.
    longer = write(tmp_path, "amex-2026-01-later.csv", kit.amex([
        (date(2026, 1, 10), "NETFLIX.COM*M5A1B3C4", "1,490", ""), (date(2026, 1, 4), "スーパー1", "1,234", ""),
        (date(2026, 1, 28), "書店", "2,200", "")]))
    later = amex_card("statements", "import", longer, "--card", "1005", "--json").json()["files"][0]
    assert later["added"] == 1 and charges(profile) == before + 1


def test_accept_adds_a_service_on_the_card_once_and_links_a_same_named_one(amex_card, tmp_path, profile):
    rows = lambda m: [(date(2026, m, 10), f"NETFLIX.COM*X{m}Y2Z3", "1,490", ""),  # noqa: E731
                      (date(2026, m, 5), "OPENAI *CHATGPT SUBSCR", f"{2990 + m * 40:,}", "20.00 USD")]
    files = [write(tmp_path, f"m{m}.csv", kit.amex(rows(m))) for m in (1, 2, 3)]
    assert amex_card("services", "add", "Netflix", "--card", "1005").code == 0
    value = amex_card("statements", "import", *files, "--card", "1005", "--json").json()
    by_name = {p["merchant"]: p for p in value["proposals"]}
    assert by_name["NETFLIX.COM"]["existing_service"]["name"] == "Netflix"
    numbers = [str(by_name["NETFLIX.COM"]["id"]), str(by_name["OPENAI *CHATGPT SUBSCR"]["id"])]
    accepted = amex_card("statements", "accept", *numbers, "--json").json()
    assert [a["outcome"] for a in accepted] == ["linked", "added"]
    services = amex_card("services", "list", "--card", "1005", "--json").json()
    assert sorted(s["name"] for s in services) == ["Netflix", "OPENAI *CHATGPT SUBSCR"]
    chatgpt = next(s for s in services if s["name"].startswith("OPENAI"))
    assert (chatgpt["billing_cycle"], chatgpt["amount"], chatgpt["currency"]) == ("monthly", "20.00", "USD")
    assert chatgpt["card"]["last4"] == "1005" and chatgpt["last_charged_on"] == "2026-03-05"
    # Accepting again, in either language, adds nothing.
    again = amex_card("statements", "accept", numbers[1], "--lang", "ja")
    assert again.code == 0 and "何も追加していません" in again.out
    assert len(amex_card("services", "list", "--json").json()) == 2
    # The accepted service is a service like any other: the review counts it, a reissue lists it.
    review = amex_card("cards", "review", "--json").json()
    assert review["cards"][0]["services"] == 2
    checklist = amex_card("reissue", "1005", "--last4", "2006", "--json").json()
    assert {"Netflix", "OPENAI *CHATGPT SUBSCR"} <= {i["title"] for i in checklist["checklist"]["items"]}
    assert amex_card("statements", "proposals", "--json").json() == []  # decided ones are not listed
    assert len(amex_card("statements", "proposals", "--all", "--json").json()) == 2


def test_dismiss_sets_a_proposal_aside(amex_card, tmp_path):
    files = [monthly_amex(tmp_path, m) for m in (1, 2, 3)]
    (proposal,) = amex_card("statements", "import", *files, "--card", "1005", "--json").json()["proposals"]
    run = amex_card("statements", "dismiss", str(proposal["id"]))
    assert run.code == 0 and "set aside" in run.out
    assert amex_card("statements", "proposals", "--json").json() == []
    # A later statement refreshes the evidence but keeps the decision.
    amex_card("statements", "import", monthly_amex(tmp_path, 4), "--card", "1005")
    (kept,) = amex_card("statements", "proposals", "--all", "--json").json()
    assert kept["status"] == "dismissed" and len(kept["evidence"]) == 4
    missing = amex_card("statements", "accept", "999", "--json")
    assert missing.code != 0 and missing.json()["error"]["code"] == "statements.proposal_not_found"


def test_a_yearly_charge_is_found_with_thirteen_months_of_statements(cardguard, tmp_path):
    assert cardguard("cards", "add", "--nickname", "JCB", "--last4", "3530").code == 0
    rows = [(d, "スーパー", 1000 + 700 * n) for n, d in enumerate(kit.months_from(date(2025, 1, 20), 13))]
    rows += [(date(2025, 2, 3), "お名前.com", 1408), (date(2026, 2, 4), "お名前.com", 1408)]
    path = write(tmp_path, "jcb.csv", kit.jcb(sorted(rows)))
    value = cardguard("statements", "import", path, "--card", "JCB", "--json").json()
    (yearly,) = value["proposals"]
    assert (yearly["merchant"], yearly["cycle"], yearly["next_charge"]) == ("お名前.com", "yearly", "2027-02-04")


def test_aeon_bank_lines_never_appear_in_any_output_or_the_database(cardguard, tmp_path, profile):
    assert cardguard("cards", "add", "--nickname", "イオン", "--last4", "4649").code == 0
    files = [write(tmp_path, f"aeon{m}.csv", kit.aeon([(date(2026, m, 20), "Ｕ－ＮＥＸＴ", 2189),
                                                      (date(2026, m, 2 + m), "イオン", 3000 + 900 * m)]))
             for m in (1, 2, 3)]
    outputs = []
    for args in (["--json"], ["--lang", "ja"], ["--lang", "en"], ["--dry-run"]):
        run = cardguard("statements", "import", *files, "--card", "イオン", *args)
        assert run.code == 0, run.err
        outputs.append(run.out + run.err)
    outputs.append(cardguard("statements", "proposals", "--all", "--json").out)
    assert "Ｕ－ＮＥＸＴ" in outputs[0]
    for text in outputs + [dump(profile)]:
        assert not any(word in text for word in kit.BANK_WORDS)


def test_vpass_name_and_masked_number_are_never_kept_or_shown(cardguard, tmp_path, profile):
    assert cardguard("cards", "add", "--nickname", "三井住友", "--last4", "7777").code == 0
    path = write(tmp_path, "vpass.csv", kit.vpass([[(date(2026, 2, 1), "ＮＨＫ受信料", 1100)], [(date(2026, 2, 7), "コンビニ", 550)]]))
    run = cardguard("statements", "import", path, "--card", "7777", "--json")
    assert run.code == 0 and run.json()["files"][0]["layout"] == "smbc_vpass"
    for text in (run.out, dump(profile)):
        assert kit.VPASS_MASKED not in text and "ヤマダ" not in text and "23015" not in text


@pytest.mark.parametrize("lang, words", [("ja", ["利用明細の形式ではありません", "楽天カード", "--map"]),
                                         ("en", ["not a statement layout", "Rakuten", "--map"])])
def test_an_unknown_layout_is_a_clear_error_and_nothing_is_imported(amex_card, tmp_path, profile, lang, words):
    good = monthly_amex(tmp_path, 1)
    odd = write(tmp_path, "odd.csv", "日付,店,金額\r\n2026/01/01,店A,100\r\n".encode("cp932"))
    run = amex_card("statements", "import", good, odd, "--card", "1005", "--lang", lang)
    assert run.code != 0 and "Traceback" not in run.err
    assert "odd.csv" in run.err and all(word in run.err for word in words)
    assert charges(profile) == 0  # the good file before it was not half-imported
    as_json = amex_card("statements", "import", odd, "--card", "1005", "--lang", lang, "--json")
    error = as_json.json()["error"]
    assert (error["code"], error["file"]) == ("statements.unknown_layout", "odd.csv") and "odd.csv" in error["message"]
    mapped = amex_card("statements", "import", odd, "--card", "1005", "--map", "日付=date", "--map", "店=merchant",
                       "--map", "金額=amount", "--json")
    assert mapped.code == 0 and mapped.json()["files"][0]["layout"] == "mapped" and charges(profile) == 1


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary", b"PK\x03\x04zip", b"\xff\xfe\xfa\xfb" * 10,
                                  b'"ok,\r\n' * 3])
def test_bad_files_are_clear_errors(amex_card, tmp_path, profile, data):
    run = amex_card("statements", "import", write(tmp_path, "bad.csv", data), "--card", "1005")
    assert run.code != 0 and run.err.strip() and "Traceback" not in run.err + run.out
    assert charges(profile) == 0


def test_missing_file_and_unknown_card_are_clear_errors(amex_card, tmp_path):
    missing = amex_card("statements", "import", str(tmp_path / "nope.csv"), "--card", "1005", "--lang", "ja")
    assert missing.code != 0 and "nope.csv" in missing.err and "Traceback" not in missing.err
    no_card = amex_card("statements", "import", monthly_amex(tmp_path, 1), "--card", "9999", "--json")
    assert no_card.code != 0 and no_card.json()["error"]["code"] == "error.card_not_found"
    without = amex_card("statements", "import", monthly_amex(tmp_path, 1), "--lang", "ja")
    assert without.code != 0 and "--card" in without.err


def test_dry_run_saves_nothing(amex_card, tmp_path, profile):
    files = [monthly_amex(tmp_path, m) for m in (1, 2, 3)]
    run = amex_card("statements", "import", *files, "--card", "1005", "--dry-run", "--json")
    value = run.json()
    assert value["dry_run"] and [p["merchant"] for p in value["proposals"]] == ["NETFLIX.COM"]
    assert value["proposals"][0]["id"] is None
    assert charges(profile) == 0 and amex_card("statements", "proposals", "--json").json() == []


@pytest.mark.parametrize("name, data", [
    ("amex.csv", kit.amex([(date(2026, 1, 10), "NETFLIX.COM*M5A2B3C4", "1,490", "")])),
    ("vpass.csv", kit.vpass([[(date(2026, 2, 1), "ＮＨＫ受信料", 1100)]])),
    ("aeon.csv", kit.aeon([(date(2026, 1, 8), "イオン", 3200)])),
])
def test_a_statement_given_to_services_import_points_to_statements_import(amex_card, tmp_path, name, data):
    path = write(tmp_path, name, data)
    for args in ([], ["--map", "ご利用内容=name"]):
        run = amex_card("services", "import", path, "--card", "1005", "--lang", "ja", *args)
        assert run.code != 0 and "statements import" in run.err and "利用明細" in run.err
        assert kit.VPASS_MASKED not in run.err and "ヤマダ" not in run.err
        assert not any(word in run.err for word in kit.BANK_WORDS)
    assert amex_card("services", "list", "--json").json() == []


def test_a_large_statement_shows_a_progress_bar_on_a_terminal_only(amex_card, tmp_path):
    rows = [(date(2026, 1, 1 + n % 28), f"SHOP {n}", f"{100 + n:,}", "") for n in range(20000)]
    path = write(tmp_path, "big.csv", kit.amex(rows))
    from ttykit import on_terminal

    code, text = on_terminal("statements", "import", path, "--card", "1005", "--dry-run")
    assert code == 0, text[-2000:]
    assert "big.csv" in text and "━" in text and "20000 charge(s) read" in text
    piped = amex_card("statements", "import", path, "--card", "1005", "--dry-run", timeout=300)
    assert "━" not in piped.out + piped.err and "20000 charge(s) read" in piped.out


def test_after_a_reissue_the_old_cards_statements_add_to_its_checklist(amex_card, tmp_path):
    assert amex_card("reissue", "1005", "--last4", "2006").code == 0
    files = [monthly_amex(tmp_path, m) for m in (1, 2, 3)]
    value = amex_card("statements", "import", *files, "--card", "#1", "--json").json()
    (netflix,) = value["proposals"]
    assert value["card"]["status"] == "replaced"
    assert amex_card("statements", "accept", str(netflix["id"])).code == 0
    checklist = amex_card("reissue", "status", "--json").json()
    assert [i["title"] for i in checklist["items"]] == ["NETFLIX.COM"]
    assert amex_card("statements", "accept", str(netflix["id"])).code == 0  # again: no second item
    assert len(amex_card("reissue", "status", "--json").json()["items"]) == 1
