"""`services import` refuses what it cannot read, clearly, naming the row and field, and writes
nothing; `services export` writes nothing a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import pytest


@pytest.fixture
def with_card(cardguard):
    assert cardguard("cards", "add", "--nickname", "amex", "--product", "amex", "--last4", "1005").code == 0
    return cardguard


def write(tmp_path, name, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def refused(run, lang="en"):
    assert run.code == 2, (run.code, run.out, run.err)
    assert "Traceback" not in run.err and "internal" not in run.out
    return run


CASES = {
    "bom_then_invalid_bytes": (b"\xef\xbb\xbfname,amount\nNetflix,100\nbad,\xff\xfe\n", "line 3", "3 行目"),
    "json_entries_not_objects": (b'{"services": [1, "two", null]}', "line 1", "1 行目"),
    "wallos_entries_not_objects": (b'{"subscriptions": [[1], 2]}', "line 1", "1 行目"),
    "deeply_nested_json": (b'{"services": ' + b"[" * 50000 + b"]" * 50000 + b"}", "20 levels", "20 階層"),
    "integer_over_4300_digits": (b'{"services": [{"name": "x", "amount": ' + b"9" * 5000 + b"}]}", "line 1: amount",
                                 "1 行目：amount"),
    "nan_amount_json": (b'{"services": [{"name": "x", "amount": NaN}]}', "line 1: amount", "1 行目：amount"),
    "infinity_amount_csv": (b"name,amount\nx,Infinity\n", "line 2: amount", "2 行目：amount"),
    "nan_amount_csv": (b"name,amount\nx,NaN\n", "line 2: amount", "2 行目：amount"),
    "field_is_a_list": (b'{"services": [{"name": ["a", "b"]}]}', "line 1", "1 行目"),
    "xlsx": (b"PK\x03\x04" + b"\x00" * 100, "Save it as CSV", "CSV 形式で保存"),
    "old_xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Save it as CSV", "CSV 形式で保存"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_files_that_crashed_are_clear_errors_and_nothing_is_written(with_card, tmp_path, case):
    data, en_text, ja_text = CASES[case]
    # A good row first: an import that fails must not leave it behind.
    path = write(tmp_path, "x.csv", data)
    en = refused(with_card("services", "import", path))
    assert en_text in en.err + en.out, en.err
    ja = refused(with_card("services", "import", path, "--lang", "ja"))
    assert ja_text in ja.err, ja.err
    as_json = refused(with_card("services", "import", path, "--json")).json()
    assert as_json["error"]["code"].startswith("error.")
    assert with_card("services", "list", "--json").json() == []


def test_a_bad_row_after_good_ones_leaves_nothing_behind(with_card, tmp_path):
    good = "".join(f"S{n},{n}\n" for n in range(2500))  # past the first written batch
    path = write(tmp_path, "x.csv", ("name,amount\n" + good + "bad,NaN\n").encode())
    run = refused(with_card("services", "import", path))
    assert "line 2502: amount" in run.err
    assert with_card("services", "list", "--json").json() == []


def read_back(path) -> list[dict]:
    text = open(path, encoding="utf-8-sig", newline="").read()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_export_neutralises_formulas_and_imports_back_as_written(with_card, tmp_path, lang):
    names = ["=HYPERLINK(\"http://x.example\",\"click\")", "+SUM(1,2)", "-2+3", "@cmd", "\tTab", "\rCR", "'=quoted",
             "Netflix"]
    for name in names:
        assert with_card("services", "add", "--notes", "+81 3 1234 5678", "--amount", "500", "--", name).code == 0
    exported = tmp_path / "e.csv"
    assert with_card("services", "export", "-o", str(exported), "--lang", lang).code == 0
    rows = read_back(exported)
    name_column = "name" if lang == "en" else "サービス名"
    notes_column = "notes" if lang == "en" else "メモ"
    for row in rows:
        for cell in row.values():
            assert not cell or cell[0] not in "=+-@\t\r", cell
    assert rows[-1][name_column] == "Netflix" and rows[-1]["amount" if lang == "en" else "金額"] == "500.00"
    assert rows[0][notes_column] == "'+81 3 1234 5678"
    # Back in: every name and note exactly as it was typed.
    for service in with_card("services", "list", "--json").json():
        with_card("services", "remove", str(service["id"]))
    assert with_card("services", "import", str(exported)).code == 0
    listed = with_card("services", "list", "--json").json()
    assert sorted(s["name"] for s in listed) == sorted(n.strip() for n in names)
    assert {s["notes"] for s in listed} == {"+81 3 1234 5678"}


def test_export_headers_follow_the_language(with_card, tmp_path):
    with_card("services", "add", "Netflix")
    out = tmp_path / "e.csv"
    assert with_card("services", "export", "-o", str(out), "--lang", "ja").code == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("サービス名,支払い設定URL,カード下4桁,請求周期,金額")


def test_a_long_import_shows_a_progress_bar_on_a_terminal(with_card, tmp_path):
    rows = "".join(f"Service {n},{n}\n" for n in range(5000))
    path = write(tmp_path, "long.csv", ("name,amount\n" + rows).encode())
    from ttykit import on_terminal

    code, text = on_terminal("services", "import", path, "--card", "1005")
    assert code == 0, text[-2000:]
    assert "long.csv" in text and "━" in text  # the bar, drawn while the file was read
    assert "5000 added, 0 updated, 0 unchanged." in text
    # Piped (no terminal): no bar in the output a script reads.
    piped = with_card("services", "import", path, "--card", "1005", timeout=300)
    assert "━" not in piped.out + piped.err and "0 added, 0 updated, 5000 unchanged." in piped.out
