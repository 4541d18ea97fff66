"""Files a person writes (overrides.toml, config.toml, an issuer file of their own) are read by
cardguard.records: every wrong value is refused with its file, line and field, worded in the reader's
language, and nothing is changed to fit (a number where text belongs is not taken as text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_overrides import GOOD, write_overrides

from cardguard.directory.load import OverridesFile
from cardguard.directory.schema import IssuerFile
from cardguard.records import Unreadable, read

LINE = GOOD.split("\n", 1)[1]  # test_overrides' line without its comment: the line numbers below count from it

# (what the holder wrote instead, the field named, the line, Japanese words, English words)
WRONG = [
    (('number = "0120-111111"', "number = 120111111"), "number", 4, "引用符で囲んだ文字列", "text in quotes"),
    (('purpose = "fraud"', 'purpose = "fraudd"'), "purpose", 3, "次のいずれか", "must be one of fraud, lost"),
    (('as_of = 2026-11-01', 'as_of = "1 Nov 2026"'), "as_of", 6, "日付ではありません", "not a date"),
    (('as_of = 2026-11-01', 'as_of = 2026-11-01T10:00:00'), "as_of", 6, "日付ではありません", "not a date"),
    (('source = "printed on the back of my card"', 'source = ""'), "source", 5, "空にはできません", "must not be empty"),
    (('number = "0120-111111"', 'number = "call me"'), "number", 4, "電話番号ではありません", "not a phone number"),
    (('card = "amex"', 'card = "amex"\ntoll_free = "yes"'), "toll_free", 3, "true か false", "true or false"),
    (('card = "amex"', 'card = "amex"\ncountries = "JP"'), "countries", 3, "リスト", "a list in brackets"),
    (('card = "amex"', 'card = "amex"\nkind = "email"'), "kind", 3, "次のいずれか", "must be one of phone, fax"),
]


def _write(profile: Path, text: str) -> Path:
    return write_overrides(profile, text)


@pytest.mark.parametrize(("change", "field", "line", "ja", "en"), WRONG, ids=[w[1] + ":" + w[0][1][:20] for w in WRONG])
def test_a_wrong_value_names_its_file_line_and_field_in_the_readers_language(cardguard, profile, change, field,
                                                                             line, ja, en):
    path = _write(profile, LINE.replace(*change))
    japanese = cardguard("contacts", "--card", "amex", "--lang", "ja")
    assert japanese.code == 2, japanese
    assert f"{path} の {line} 行目、項目 {field}" in japanese.err and ja in japanese.err, japanese.err
    english = cardguard("contacts", "--card", "amex", "--json")
    assert english.code == 2
    message = english.json()["error"]["message"]
    assert f"{path}, line {line}, field {field}: " in message and en in message, message
    assert "Traceback" not in japanese.err + english.err


def test_every_problem_is_listed_not_only_the_first(cardguard, profile):
    text = LINE.replace('"fraud"', '"fraudd"').replace("as_of = 2026-11-01", "as_of = 5") + 'numbr = "1"\n'
    _write(profile, text)
    run = cardguard("contacts", "--json")
    error = run.json()["error"]
    assert "line 3, field purpose" in error["message"]
    assert [re.sub(r"^.*overrides\.toml:", "", d).split(":")[0:2] for d in error["details"]] == [
        ["6", " as_of"], ["7", " numbr"]]


def test_a_config_value_of_the_wrong_kind_is_refused_not_changed(cardguard, profile):
    (profile / "config" / "config.toml").write_text('tz = 9\n[aliases]\namex-jp = "me@example.com"\n',
                                                    encoding="utf-8")
    mail = b"From: someone@example.org\r\nTo: me@example.net\r\nSubject: hello\r\n\r\nhello\r\n"
    run = cardguard("check", "-", "--offline", "--json", input=mail)
    assert run.code == 2, run
    error = run.json()["error"]
    assert "config.toml, line 3, field amex-jp: must be a list in brackets" in error["message"]
    assert any("config.toml:1: tz:" in d and "must be text in quotes" in d for d in error["details"]), error


def test_a_users_issuer_file_with_a_bad_id_and_domain_is_refused(cardguard, profile):
    shipped = Path(__file__).resolve().parents[1] / "src" / "cardguard" / "directory" / "data" / "amex-jp.toml"
    text = shipped.read_text(encoding="utf-8")
    folder = profile / "config" / "issuers"
    folder.mkdir(parents=True)
    bad = text.replace('id = "amex-jp"', 'id = "Amex JP"', 1)
    (folder / "mine.toml").write_text(bad, encoding="utf-8")
    run = cardguard("contacts", "--json")
    assert run.code == 2 and "field id" in run.json()["error"]["message"], run
    domain = re.search(r'domain = "([^"]+)"', text).group(1)
    (folder / "mine.toml").write_text(text.replace(f'domain = "{domain}"', 'domain = "not a domain"', 1),
                                      encoding="utf-8")
    run = cardguard("contacts", "--json", "--lang", "ja")
    message = run.json()["error"]["message"]
    assert run.code == 2 and "項目 domain" in message and "'not a domain' はドメイン名ではありません" in message


def test_a_reference_to_nothing_is_refused_with_what_it_names():
    shipped = Path(__file__).resolve().parents[1] / "src" / "cardguard" / "directory" / "data" / "amex-jp.toml"
    import tomllib

    raw = tomllib.loads(shipped.read_text(encoding="utf-8"))
    raw["tables"][0]["schedule"] = "nowhere"
    with pytest.raises(Unreadable) as refused:
        read(IssuerFile, raw)
    (problem,) = refused.value.problems
    assert problem.where == ("tables", 0, "schedule") and problem.what.en == "no schedule with the id 'nowhere' in this file"


def test_a_name_that_refers_to_nothing_is_said_on_its_own_line(cardguard, profile):
    shipped = Path(__file__).resolve().parents[1] / "src" / "cardguard" / "directory" / "data" / "amex-jp.toml"
    text = shipped.read_text(encoding="utf-8")
    first_schedule = re.search(r'\[\[tables\]\][^\[]*?schedule = "([^"]+)"', text)
    changed = text[:first_schedule.start(1)] + "allways" + text[first_schedule.end(1):]
    line = changed[:first_schedule.start(1)].count("\n") + 1
    folder = profile / "config" / "issuers"
    folder.mkdir(parents=True)
    (folder / "amex-jp.toml").write_text(changed, encoding="utf-8")
    run = cardguard("contacts", "--json", "--lang", "ja")
    message = run.json()["error"]["message"]
    assert run.code == 2 and f"の {line} 行目、項目 schedule：このファイルに id が 'allways' の schedule はありません" in message, message


def test_what_reads_is_kept_as_written():
    line = read(OverridesFile, {"line": [{"card": "amex", "purpose": "fraud", "number": " 0120-111111 ",
                                          "source": "back", "as_of": "2026-11-01"}]}).line[0]
    # Whitespace around a number is not part of it; a quoted date is the date it says.
    assert (line.number, line.as_of.isoformat(), line.countries, line.kind) == ("0120-111111", "2026-11-01", [], "phone")
    with pytest.raises(Unreadable) as refused:
        read(OverridesFile, {"line": [{"card": "amex", "purpose": "fraud", "number": "0120-111111",
                                       "source": "back", "as_of": "2026-11-01", "toll_free": 1}]})
    assert [p.where for p in refused.value.problems] == [("line", 0, "toll_free")]


def test_records_are_frozen_and_compare_by_value():
    first = read(OverridesFile, {"line": [{"card": "amex", "purpose": "fraud", "number": "0120-111111",
                                           "source": "back", "as_of": "2026-11-01"}]})
    again = read(OverridesFile, {"line": [{"card": "amex", "purpose": "fraud", "number": "0120-111111",
                                           "source": "back", "as_of": "2026-11-01"}]})
    assert first == again and first.line[0] is not again.line[0]
    with pytest.raises(AttributeError):
        first.line[0].number = "0120-000000"  # type: ignore[misc]


def test_a_long_wrong_value_is_echoed_cut_short(cardguard, profile):
    _write(profile, LINE.replace('"0120-111111"', '"' + "9" * 5000 + 'x"'))
    message = cardguard("contacts", "--json").json()["error"]["message"]
    assert "not a phone number" in message and "…" in message and len(message) < 400, message


def test_a_value_class_behaves_as_its_dataclass_did():
    from dataclasses import field

    from cardguard.values import record, replace

    @record
    class Line:
        number: str
        hours: list[str] = field(default_factory=list)
        note: str | None = None

    @record(mutable=True)
    class Tally:
        seen: int = 0

        def __post_init__(self) -> None:
            self.seen += 1

    first, second = Line("0120-020120"), Line(number="0120-020120")
    assert first == second and first.hours is not second.hours
    assert hash(replace(first, hours=("9-17",))) == hash(replace(second, hours=("9-17",)))
    assert replace(first, note="back of card") == Line("0120-020120", [], "back of card")
    assert repr(first).endswith("Line(number='0120-020120', hours=[], note=None)")
    with pytest.raises(AttributeError):
        first.number = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Line()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Line("a", number="b")  # type: ignore[misc]
    tally = Tally()
    tally.seen += 1
    assert tally.seen == 2 and Tally(5).seen == 6
    with pytest.raises(TypeError):
        hash(tally)
    with pytest.raises(TypeError):
        @record
        class Shared:
            items: list = []  # noqa: RUF012


SHIPPED = Path(__file__).resolve().parents[1] / "src" / "cardguard" / "directory" / "data" / "amex-jp.toml"


def _issuer(**changes):
    import tomllib

    raw = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    for path, value in changes.items():
        *where, last = path.split("__")
        node = raw
        for step in where:
            node = node[int(step)] if step.isdigit() else node[step]
        node[int(last) if last.isdigit() else last] = value
    return raw


@pytest.mark.parametrize(("change", "where"), [
    # Digits of another script, dashes in a row, more digits than any phone number has (E.164: 15).
    ({"tables__0__rows__0__number": "०१२०-०२०१२०"}, ("tables", 0, "rows", 0, "number")),
    ({"tables__0__rows__0__number": "0120----1"}, ("tables", 0, "rows", 0, "number")),
    ({"tables__0__rows__0__number": "0120-" + "1" * 12}, ("tables", 0, "rows", 0, "number")),
    ({"issuer__holidays": "XX"}, ("issuer", "holidays")),
    ({"issuer__holidays": "../JP"}, ("issuer", "holidays")),
], ids=["devanagari", "dashes", "too-long", "calendar", "calendar-path"])
def test_an_issuer_value_a_holder_would_be_misled_by_is_refused(change, where):
    with pytest.raises(Unreadable) as refused:
        read(IssuerFile, _issuer(**change))
    assert [p.where for p in refused.value.problems] == [where]


def test_days_not_covered_are_days_of_the_year():
    raw = _issuer()
    raw["hours_not_covered"] = [{"start": "99-99", "end": "１２-３１", "name": {"ja": "x", "en": "x"},
                                 "source": raw["sources"][0]["id"]}]
    with pytest.raises(Unreadable) as refused:
        read(IssuerFile, raw)
    assert [p.where for p in refused.value.problems] == [("hours_not_covered", 0, "start"), ("hours_not_covered", 0, "end")]


def test_advice_without_ids_and_twice_the_same_is_said_not_a_crash():
    raw = _issuer()
    source = raw["sources"][0]["id"]
    raw["advice"] = raw.get("advice", []) + [{"ja": "a", "en": "a", "source": source}] * 2 + \
        [{"id": "police", "ja": "b", "en": "b", "source": source}] * 2
    with pytest.raises(Unreadable) as refused:
        read(IssuerFile, raw)
    said = [(p.where[-1], p.what.en) for p in refused.value.problems]
    assert ("id", "the id 'police' is used twice") in said and said.count(("id", "required, but missing")) == 2


def test_a_line_abroad_of_the_holders_needs_its_hours(cardguard, profile):
    """An override for one country's line had no directory line to take its hours from (load checked
    purpose and card but not the countries): every command that read the directory crashed."""
    _write(profile, LINE.replace('card = "amex"', 'card = "amex"\ncountries = ["US"]'))
    run = cardguard("contacts", "--card", "amex", "--json")
    assert run.code == 2 and "field schedule" in run.json()["error"]["message"], run
    _write(profile, LINE.replace('card = "amex"', 'card = "amex"\ncountries = ["usa"]'))
    run = cardguard("contacts", "--card", "amex", "--json")
    assert run.code == 2 and "field countries" in run.json()["error"]["message"], run


def test_a_file_with_thousands_of_problems_is_answered_at_once(cardguard, profile):
    _write(profile, "".join(LINE.replace('"0120-111111"', "5") for _ in range(3000)))
    run = cardguard("contacts", "--json")
    error = run.json()["error"]
    assert run.code == 2 and len(error["details"]) == 21 and "2979 more problems" in error["details"][-1]
    (profile / "config" / "overrides.toml").unlink()
    (profile / "config" / "config.toml").write_text("x" * 100_000 + " = 1\n", encoding="utf-8")
    mail = b"Subject: x\r\n\r\nx\r\n"
    message = cardguard("check", "-", "--offline", "--json", input=mail).json()["error"]["message"]
    assert "…" in message and len(message) < 400


@pytest.mark.parametrize(("line", "ja"), [
    ('number = 0120-111111', "引用符で囲み忘れていませんか"),
    ('purpose = fraud', "半角の引用符で囲み"),
    ('purpose = “fraud”', "半角の引用符で囲み"),
    ('as_of = 2026-11-31', "暦にない日付です"),
    ('ｐｕｒｐｏｓｅ ＝ "fraud"', "全角の ＝"),
], ids=["number", "bare-word", "curly-quotes", "no-such-day", "full-width"])
def test_a_toml_mistake_is_explained_in_the_readers_language(cardguard, profile, line, ja):
    key = line.split(" ")[0]
    written = "\n".join(line if each.startswith(key.replace("ｐｕｒｐｏｓｅ", "purpose") + " ") else each
                        for each in LINE.splitlines()) + "\n"
    _write(profile, written)
    japanese = cardguard("contacts", "--lang", "ja")
    assert japanese.code == 2 and ja in japanese.err, japanese.err
    # The Japanese message carries no English from the TOML reader.
    said = japanese.err.split("TOML として正しくありません")[1]
    assert not re.search(r"[A-Za-z]{3,}", said.replace("YYYY-MM-DD", "")), japanese.err
