"""What a holder sees when a spreadsheet has no card column, is imported twice, when a card is closed,
and when a value cannot be taken as typed: said, in ja and en, never silently changed."""

from __future__ import annotations

import pytest

HEADER = "サービス名,金額,次回請求日\n"
ROWS = "Netflix,1490,2025-12-05\nU-NEXT,2189,2025-12-10\nSpotify,980,2025-12-03\n"


@pytest.fixture
def amex(cardguard):
    assert cardguard("cards", "add", "--nickname", "アメックス", "--product", "amex", "--last4", "1005").code == 0
    return cardguard


def write(tmp_path, name, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


# ------------------------------------------------------------------ services with no card (10.4)

def test_import_without_a_card_column_says_which_services_hold_no_card(amex, tmp_path):
    path = write(tmp_path, "s.csv", HEADER + ROWS)
    en = amex("services", "import", path, "--dry-run")
    assert en.code == 0, en.err
    assert "3 service(s) hold no card in the file: Netflix, U-NEXT, Spotify" in en.out and "--card" in en.out
    ja = amex("services", "import", path, "--lang", "ja")
    assert "カードの指定がないサービスが 3 件" in ja.out and "--card" in ja.out
    assert "どのカード？要確認" in amex("services", "list", "--lang", "ja").out
    # Reissue asks about them instead of reporting "done" without them.
    reissued = amex("reissue", "アメックス", "--last4", "2008", "--json").json()["checklist"]
    assert reissued["progress"] == {"done": 0, "total": 3}
    assert all(item["card_unknown"] for item in reissued["items"])
    status = amex("reissue", "status", "--lang", "ja").out
    assert "Netflix：どのカードが登録されているか確認" in status and "3 件中 0 件完了" in status
    assert "Netflix: which card does it hold?" in amex("reissue", "status").out
    review = amex("cards", "review", "--json").json()
    assert [s["name"] for s in review["without_card"]] == ["Spotify", "Netflix", "U-NEXT"]
    assert "カード未設定のサービス（どのカード？要確認）：3 件" in amex("cards", "review", "--lang", "ja").out


def test_a_default_card_for_the_file(amex, tmp_path):
    run = amex("services", "import", write(tmp_path, "s.csv", HEADER + ROWS), "--card", "アメックス", "--json")
    assert run.code == 0, run.err
    assert run.json()["without_card"] == [] and {r["card"]["last4"] for r in run.json()["rows"]} == {"1005"}


@pytest.mark.parametrize("masked", ["****-****-****-1005", "下4桁 1005", "XXXX XXXX XXXX 1005", "●●●● 1005"])
def test_a_masked_card_number_column_names_the_card(amex, tmp_path, masked):
    run = amex("services", "import", write(tmp_path, "s.csv", f"サービス名,カード番号\nNetflix,{masked}\n"), "--json")
    assert run.code == 0, run.err
    assert run.json()["rows"][0]["card"]["last4"] == "1005"


def test_an_unknown_card_with_no_cards_registered_says_so(cardguard, tmp_path):
    run = cardguard("services", "import", write(tmp_path, "s.csv", "サービス名,カード\nNetflix,1005\n"), "--lang", "ja")
    assert run.code != 0
    assert "カードがまだ登録されていません" in run.err
    assert not run.err.rstrip().endswith("登録済みのカード：")


# ------------------------------------------------------------------ the same file twice (10.5)

def test_importing_the_same_file_twice_updates_instead_of_doubling(amex, tmp_path):
    path = write(tmp_path, "s.csv", "サービス名,金額,カード\nNetflix,1490,1005\nU-NEXT,2189,1005\n")
    first = amex("services", "import", path, "--json").json()
    assert (first["added"], first["updated"], first["unchanged"]) == (2, 0, 0)
    again = amex("services", "import", path)
    assert "0 added, 0 updated, 2 unchanged." in again.out
    # Width, case and spaces aside it is the same service; a new price updates it.
    changed = write(tmp_path, "t.csv", "サービス名,金額,カード\nＮＥＴＦＬＩＸ ,1590,1005\nU-NEXT,2189,1005\n")
    ja = amex("services", "import", changed, "--lang", "ja")
    assert "追加 0 件、更新 1 件、変更なし 1 件。" in ja.out
    listed = amex("services", "list", "--json").json()
    assert len(listed) == 2 and {s["amount"] for s in listed} == {"1590.00", "2189.00"}
    reissued = amex("reissue", "1005", "--last4", "2008", "--json").json()
    assert reissued["checklist"]["progress"]["total"] == 2


# ------------------------------------------------------------------ closing a card (10.7)

def test_close_asks_lists_closed_cards_and_says_how_to_undo(amex):
    amex("services", "add", "Netflix", "--card", "1005")
    refused = amex("cards", "close", "1005")  # no terminal to answer on
    assert refused.code != 0 and "--yes" in refused.err
    assert amex("cards", "list", "--json").json()[0]["status"] == "active"
    ja = amex("cards", "close", "1005", "--lang", "ja")
    assert ja.code != 0 and "--yes" in ja.err
    closed = amex("cards", "close", "1005", "--yes")
    assert closed.code == 0 and "cardguard cards reopen 1" in closed.out and "cards list --all" in closed.out
    listed = amex("cards", "list")
    assert "No cards yet" not in listed.out and "cards list --all" in listed.out
    assert "アメックス" in amex("cards", "list", "--all").out
    assert amex("cards", "reopen", "1").code == 0
    assert amex("cards", "list", "--json").json()[0]["status"] == "active"


# ------------------------------------------------------------------ values kept or refused (10.9)

def test_yearly_amount_column_is_a_yearly_cycle(amex, tmp_path):
    rows = amex("services", "import", write(tmp_path, "s.csv", "サービス名,年額\nAmazon Prime,5900\n"), "--json").json()
    assert rows["rows"][0]["billing_cycle"] == "yearly"
    rows = amex("services", "import", write(tmp_path, "t.csv", "サービス名,金額,周期\nFoo,100,年間\n"), "--json").json()
    assert rows["rows"][0]["billing_cycle"] == "yearly"


def test_cycles_are_kept_or_refused_never_other(amex):
    weekly = amex("services", "add", "Gym", "--cycle", "weekly", "--json")
    assert weekly.code == 0 and weekly.json()["billing_cycle"] == "weekly"
    refused = amex("services", "add", "X", "--cycle", "fortnightly", "--lang", "ja")
    assert refused.code != 0 and "請求周期" in refused.err and "fortnightly" in refused.err
    plain = amex("services", "add", "Y", "--json").json()
    assert plain["billing_cycle"] == "unknown"  # not given: not assumed monthly
    assert "周期未設定" in amex("services", "list", "--lang", "ja").out


def test_currency_words_are_refused_with_the_code(amex):
    en = amex("services", "add", "Z", "--amount", "100", "--currency", "yen")
    assert en.code != 0 and "JPY" in en.err
    ja = amex("services", "add", "Z", "--amount", "100", "--currency", "yen", "--lang", "ja")
    assert ja.code != 0 and "通貨：「yen」は通貨コードではありません。JPY" in ja.err
    assert amex("services", "list", "--json").json() == []
    ok = amex("services", "add", "Z", "--amount", "100", "--currency", "jpy", "--json")
    assert ok.json()["currency"] == "JPY"


def test_text_is_stored_as_written(amex):
    run = amex("services", "add", "①ネット～", "--notes", "ﾒﾓ　全角", "--json")
    assert run.json()["name"] == "①ネット～" and run.json()["notes"] == "ﾒﾓ　全角"
    card = amex("cards", "add", "--nickname", "Ｖｉｅｗカード", "--last4", "0002", "--json").json()
    assert card["nickname"] == "Ｖｉｅｗカード"


def test_duplicate_nicknames_are_refused(amex):
    run = amex("cards", "add", "--nickname", "アメックス", "--last4", "2222")
    assert run.code != 0 and "アメックス" in run.err and "--nickname" in run.err
    ja = amex("cards", "add", "--nickname", " ｱﾒｯｸｽ ", "--last4", "2222", "--lang", "ja")
    assert ja.code != 0 and "すでにあります" in ja.err
    assert len(amex("cards", "list", "--json").json()) == 1


def test_past_expiry_and_impossible_dates_are_refused(amex):
    past = amex("cards", "add", "--nickname", "old", "--last4", "1234", "--expiry", "12/20", "--lang", "ja")
    assert past.code != 0 and "有効期限：12/20 はすでに過ぎています" in past.err
    placeholder = amex("services", "add", "X", "--next-charge", "1900-01-01")
    assert placeholder.code != 0 and "next-charge: 1900-01-01 is not a plausible date" in placeholder.err
    ja = amex("services", "add", "X", "--next-charge", "1900-01-01", "--lang", "ja")
    assert "次回請求日：1900-01-01" in ja.err


def test_reissue_with_the_old_last_digits_is_refused(amex):
    run = amex("reissue", "1005", "--last4", "1005")
    assert run.code != 0 and "cards edit" in run.err
    assert amex("cards", "list", "--json").json()[0]["status"] == "active"


def test_nan_and_infinity_are_not_amounts(amex):
    for given in ("NaN", "Infinity", "-inf", "1e999", "9" * 5000):
        run = amex("services", "add", "X", "--amount", given, "--json")
        assert run.code == 2, run.out
        assert run.json()["error"]["code"] == "error.bad_value"


def test_field_names_in_errors_are_japanese(amex):
    run = amex("services", "add", "X", "--url", "ftp://x", "--lang", "ja")
    assert "支払い設定URL" in run.err and "url" not in run.err.replace("URL", "")
    run = amex("services", "add", "X", "--holds", "paper", "--lang", "ja")
    assert "登録方法" in run.err and "holds_card_as" not in run.err
