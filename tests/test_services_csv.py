"""Services from spreadsheets as people really save them, and back out again."""

from __future__ import annotations

import json

import pytest

HEADER_JA = "サービス名,金額,次回請求日,カード,請求周期,登録方法\n"
ROWS_JA = "U-NEXT,\"￥2,189\",2025/12/10,1005,月額,カード番号\nAmazon Prime,5900円,2026年3月1日,1005,年額,\nApple TV+,900,2025-12-20,1005,毎月,Apple Pay\n"


@pytest.fixture
def with_card(cardguard):
    assert cardguard("cards", "add", "--nickname", "amex", "--product", "amex", "--last4", "1005").code == 0
    return cardguard


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def imported(run):
    assert run.code == 0, run.err
    return {row["name"]: row for row in run.json()["rows"]}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_encodings_and_delimiters(with_card, tmp_path, encoding, delimiter):
    text = (HEADER_JA + ROWS_JA)
    if delimiter == "\t":
        text = text.replace('"￥2,189"', "￥2189").replace(",", "\t")
    path = write(tmp_path, "services.csv", text.encode(encoding))
    rows = imported(with_card("services", "import", path, "--json"))
    assert rows["U-NEXT"]["amount"] in ("2189.00",) and rows["U-NEXT"]["currency"] == "JPY"
    assert rows["U-NEXT"]["next_charge"] == "2025-12-10" and rows["U-NEXT"]["holds_card_as"] == "typed"
    assert rows["Amazon Prime"]["billing_cycle"] == "yearly" and rows["Amazon Prime"]["next_charge"] == "2026-03-01"
    assert rows["Apple TV+"]["holds_card_as"] == "wallet"
    assert all(row["card"]["last4"] == "1005" for row in rows.values())
    assert len(with_card("services", "list", "--json").json()) == 3


def test_shift_jis_yen_sign_byte(with_card, tmp_path):
    # Excel on Windows writes ¥ as byte 0x5C, which decodes as a backslash.
    data = "サービス名,金額\n".encode("cp932") + b"Netflix,\\1490\n"
    rows = imported(with_card("services", "import", write(tmp_path, "y.csv", data), "--json"))
    assert rows["Netflix"]["amount"] == "1490.00" and rows["Netflix"]["currency"] == "JPY"


def test_dry_run_writes_nothing(with_card, tmp_path):
    path = write(tmp_path, "s.csv", (HEADER_JA + ROWS_JA).encode())
    run = with_card("services", "import", path, "--dry-run", "--json")
    assert run.code == 0 and len(run.json()["rows"]) == 3 and run.json()["written"] == 0
    assert with_card("services", "list", "--json").json() == []


def test_bad_rows_are_reported_by_line_and_nothing_is_written(with_card, tmp_path):
    text = HEADER_JA + ROWS_JA + "壊れた行,abc,2025-13-45,1005,毎月,\n,100,2025-01-01,1005,毎月,\nHulu,1026,2025-12-01,9999,毎月,\n"
    path = write(tmp_path, "s.csv", text.encode())
    run = with_card("services", "import", path)
    assert run.code != 0
    # Each bad row by its line, naming the column as the file names it.
    assert "line 5: 金額" in run.err and "abc" in run.err
    assert "line 6: サービス名" in run.err
    assert "line 7" in run.err and "9999" in run.err
    ja = with_card("services", "import", path, "--lang", "ja")
    assert "5 行目：金額：「abc」を読み取れません" in ja.err and "line" not in ja.err
    assert with_card("services", "list", "--json").json() == []
    partial = with_card("services", "import", path, "--skip-bad-rows", "--json")
    assert partial.code == 0 and partial.json()["written"] == 3 and len(partial.json()["errors"]) == 3


def test_column_mapping_for_other_headers(with_card, tmp_path):
    path = write(tmp_path, "s.csv", "契約,月々,支払い方法\nDAZN,4200,1005\n".encode())
    refused = with_card("services", "import", path)
    assert refused.code != 0 and "--map" in refused.err
    rows = imported(with_card("services", "import", path, "--map", "契約=name", "--map", "月々=amount",
                              "--map", "支払い方法=card", "--json"))
    assert rows["DAZN"]["amount"] == "4200.00" and rows["DAZN"]["card"]["last4"] == "1005"


def test_card_numbers_in_a_spreadsheet_are_refused(with_card, tmp_path, profile):
    path = write(tmp_path, "s.csv", "サービス名,メモ\nNetflix,カード 4242-4242-4242-4242\n".encode())
    run = with_card("services", "import", path)
    assert run.code != 0 and "card number" in run.err and "4242" not in run.err
    cvv = write(tmp_path, "c.csv", "サービス名,セキュリティコード\nNetflix,123\n".encode())
    run = with_card("services", "import", cvv)
    assert run.code != 0 and "security code" in run.err
    for file in (profile / "data").iterdir():
        # The number as written, whole: a bare "4242" may be a timestamp's digits in the database.
        assert b"4242-4242" not in file.read_bytes() and b"4242424242424242" not in file.read_bytes()


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00garbage\x81", b'name\n"unterminated,1\n', b"{not json"])
def test_broken_files_are_clear_errors(with_card, tmp_path, data):
    run = with_card("services", "import", write(tmp_path, "x.csv", data))
    assert run.code != 0 and "Traceback" not in run.err and run.err.strip()


def test_wallos_json_and_csv(with_card, tmp_path):
    wallos = {"success": True, "subscriptions": [
        {"Name": "Spotify", "Next Payment": "2025-12-03", "Category": "Music", "Payment Method": "1005",
         "Paid By": "me", "Price": "¥980", "Notes": "", "URL": "https://www.spotify.com/account/",
         "State": "Enabled", "Notifications": "Enabled", "Cancellation Date": ""},
        {"Name": "iCloud+", "Next Payment": "2025-12-08", "Category": "Cloud", "Payment Method": "Apple Pay",
         "Paid By": "me", "Price": "$2.99", "Notes": "", "URL": "", "State": "Enabled"},
        {"Name": "Old", "Next Payment": "2024-01-01", "Category": "", "Payment Method": "PayPal", "Price": "€5",
         "State": "Disabled"},
    ]}
    rows = imported(with_card("services", "import", write(tmp_path, "w.json", json.dumps(wallos).encode()), "--json"))
    assert rows["Spotify"]["card"]["last4"] == "1005" and rows["Spotify"]["amount"] == "980.00"
    assert rows["Spotify"]["currency"] == "JPY" and rows["Spotify"]["category"] == "Music"
    assert rows["iCloud+"]["holds_card_as"] == "wallet" and rows["iCloud+"]["currency"] == "USD"
    assert rows["Old"]["status"] == "cancelled"
    csv_text = "Name,Next Payment,Category,Payment Method,Paid By,Price,Notes,URL,State\nHulu,2025-12-09,Video,1005,me,¥1026,,,Enabled\n"
    rows = imported(with_card("services", "import", write(tmp_path, "w.csv", csv_text.encode()), "--json"))
    assert rows["Hulu"]["amount"] == "1026.00" and rows["Hulu"]["card"]["last4"] == "1005"


def test_export_then_import_gives_back_the_same_registry(with_card, tmp_path):
    with_card("services", "import", write(tmp_path, "s.csv", (HEADER_JA + ROWS_JA).encode()))
    with_card("services", "add", "Notes, with \"quotes\"", "--notes", "行1\n行2", "--category", "テスト")
    before = with_card("services", "list", "--json").json()
    exported = tmp_path / "export.csv"
    assert with_card("services", "export", "-o", str(exported)).code == 0
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    for service in before:
        with_card("services", "remove", str(service["id"]))
    assert with_card("services", "import", str(exported)).code == 0
    after = with_card("services", "list", "--json").json()
    strip = lambda rows: sorted(({k: v for k, v in r.items() if k not in ("id",)} for r in rows),  # noqa: E731
                                key=lambda r: r["name"])
    assert strip(after) == strip(before)
    as_json = tmp_path / "export.json"
    assert with_card("services", "export", "--format", "json", "-o", str(as_json)).code == 0
    for service in after:
        with_card("services", "remove", str(service["id"]))
    assert with_card("services", "import", str(as_json)).code == 0
    assert strip(with_card("services", "list", "--json").json()) == strip(before)


def test_amounts_are_shown_as_written(with_card, tmp_path):
    path = write(tmp_path, "s.csv", (HEADER_JA + ROWS_JA + "Spotify,$9.99,2025-12-02,1005,毎月,\n").encode())
    assert with_card("services", "import", path).code == 0
    listed = with_card("services", "list", "--lang", "ja").out
    assert "¥2,189" in listed and "¥5,900" in listed and "9.99 USD" in listed and "2189.00" not in listed
    doc = {s["name"]: s for s in with_card("services", "list", "--json").json()}
    assert doc["U-NEXT"]["amount"] == "2189.00" and doc["U-NEXT"]["amount_text"] == "¥2,189"
