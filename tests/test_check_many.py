"""`cardguard check` over several messages or a folder: one line (or JSON object) per message, in the
order given, errors inline without stopping the run; one message still prints exactly as before."""

from __future__ import annotations

import json

from mailkit import message

ALIAS = "amex.7f3k@icloud.com"
PHISH = message(sender="info@amex-security-check.com", display="American Express")


def write(folder, name, data):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def test_one_file_json_is_the_single_message_shape(cardguard, tmp_path):
    path = write(tmp_path, "one.eml", message())
    single = cardguard("check", "--offline", "--json", str(path))
    assert single.code == 0, single.err
    result = single.json()
    assert "source" not in result and result["verdict"] == "suspicious"
    again = cardguard("check", "--offline", "--json", "--jobs", "2", str(path))
    assert {k: v for k, v in again.json().items() if k != "findings"} == \
        {k: v for k, v in result.items() if k != "findings"}


def test_many_files_and_a_folder_one_json_line_each_in_order(cardguard, tmp_path):
    folder = tmp_path / "inbox"
    write(folder / "b", "2.eml", PHISH)
    write(folder / "a", "1.eml", message())
    write(folder, "notes.txt", b"not a message file")  # only .eml, .msg and suffix-less files are read
    empty = write(tmp_path, "empty.eml", b"")
    for jobs in ("1", "2"):
        run = cardguard("check", "--offline", "--json", "--jobs", jobs, str(folder), str(empty), str(tmp_path / "gone.eml"))
        assert run.code == 2, run.err  # two could not be checked
        lines = [json.loads(line) for line in run.out.splitlines()]
        assert [line["source"] for line in lines] == [str(folder / "a" / "1.eml"), str(folder / "b" / "2.eml"),
                                                      str(empty), str(tmp_path / "gone.eml")]
        assert [line.get("verdict") for line in lines] == ["suspicious", "phishing", None, None]
        assert lines[2]["error"]["code"] == "error.empty_message"
        assert lines[3]["error"]["code"] == "error.input_unreadable" and "gone.eml" in lines[3]["error"]["message"]
        assert "Traceback" not in run.err


def test_many_files_as_text_one_line_each_and_a_summary(cardguard, tmp_path):
    first = write(tmp_path, "1.eml", message())
    second = write(tmp_path, "2.eml", PHISH)
    run = cardguard("check", "--offline", "--lang", "ja", str(first), str(second))
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert len(lines) == 2 and str(first) in lines[0] and str(second) in lines[1]
    assert "フィッシング" in lines[1]
    assert "2 通を確認しました" in run.err


def test_standard_input_among_paths(cardguard, tmp_path):
    path = write(tmp_path, "1.eml", message())
    run = cardguard("check", "--offline", "--json", str(path), "-", input=PHISH)
    assert [json.loads(line)["source"] for line in run.out.splitlines()] == [str(path), "-"]
    assert json.loads(run.out.splitlines()[1])["verdict"] == "phishing"


def test_registered_aliases_apply_to_every_message(cardguard, tmp_path):
    assert cardguard("cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005",
                     "--alias", ALIAS).code == 0
    to_alias = write(tmp_path, "1.eml", message(to=ALIAS))
    elsewhere = write(tmp_path, "2.eml", message(to="someone@example.com"))
    run = cardguard("check", "--offline", "--json", "--jobs", "2", str(to_alias), str(elsewhere))
    codes = [{f["code"] for f in json.loads(line)["findings"]} for line in run.out.splitlines()]
    assert "recipient.alias_match" in codes[0] and "recipient.other_address" in codes[1]


def test_bad_jobs_is_a_clear_error(cardguard, tmp_path):
    path = write(tmp_path, "1.eml", message())
    run = cardguard("check", "--offline", "--json", "--jobs", "0", str(path), str(path))
    assert run.code == 2 and run.json()["error"]["code"] == "batch.bad_jobs"
    run = cardguard("check", "--jobs", "0", "--lang", "ja", str(path))
    assert run.code == 2 and "1 から 256 までの整数" in run.err
    # A number past what a machine can start crashed the pool (OverflowError, exit 70).
    for huge in ("257", "99999999999999999999"):
        run = cardguard("check", "--offline", "--json", "--jobs", huge, str(path), str(path))
        assert run.code == 2 and run.json()["error"]["code"] == "batch.bad_jobs", run
        assert len(run.json()["error"]["message"]) < 120


def test_a_folder_with_no_mail_in_it_says_so(cardguard, tmp_path):
    (tmp_path / "empty").mkdir()
    write(tmp_path / "notes", "readme.txt", b"not a message file")
    for folder in ("empty", "notes"):
        run = cardguard("check", "--offline", "--lang", "ja", str(tmp_path / folder))
        assert run.code == 2 and "確認するメールがありません" in run.err and "0 通" not in run.err
        doc = cardguard("check", "--offline", "--json", str(tmp_path / folder)).json()
        assert doc["error"]["code"] == "batch.none_found"


def test_the_summary_counts_what_got_a_verdict_and_reads_as_japanese(cardguard, tmp_path):
    first, second = write(tmp_path, "1.eml", message()), write(tmp_path, "2.eml", PHISH)
    run = cardguard("check", "--offline", "--lang", "ja", "--jobs", "1", str(first), str(second), str(tmp_path / "gone.eml"))
    assert run.code == 2
    assert "2 通を確認しました：" in run.err and "、" in run.err.split("確認しました：")[1] and ", " not in run.err
    assert "1 通は確認できませんでした" in run.err
    # The reason a file cannot be read is said in Japanese too, not in the system's English.
    assert "そのファイルやフォルダーはありません" in run.out and "No such file" not in run.out
    # Verdict labels of different widths in terminal cells still line up: every path starts in one column.
    from unicodedata import east_asian_width

    starts = []
    for line in run.out.splitlines()[:2]:
        before = line.split(str(tmp_path))[0]
        starts.append(sum(2 if east_asian_width(c) in "WF" else 1 for c in before))
    assert len(set(starts)) == 1


def test_a_few_messages_are_checked_in_this_process_and_many_on_every_core(tmp_path):
    # Found by a new user: five mails took 1.4 s on every core (starting the workers), 0.6 s in one.
    import os

    from cardguard.cli_check import FEW_MESSAGES, default_jobs

    few = tmp_path / "few"
    for n in range(5):
        write(few, f"{n}.eml", message())
    assert default_jobs([str(few)]) == 1
    many = tmp_path / "many"
    for n in range(FEW_MESSAGES):
        write(many, f"{n}.eml", b"x")
    assert default_jobs([str(many)]) == (os.cpu_count() or 1)


def test_a_mistake_in_the_holders_files_is_said_once_not_a_workers_crash(cardguard, profile, tmp_path):
    (profile / "config" / "overrides.toml").write_text(
        '[[line]]\ncard = "nope"\npurpose = "fraud"\nnumber = "0120-111111"\nsource = "me"\nas_of = 2026-01-01\n',
        encoding="utf-8")
    path = write(tmp_path, "1.eml", message())
    run = cardguard("check", "--offline", "--json", "--jobs", "2", str(path), str(path))
    assert run.code == 2 and run.json()["error"]["code"] == "error.file_invalid", run
    assert "Traceback" not in run.err
