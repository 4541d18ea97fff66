"""The Public Suffix List is read from a derived copy in the cache dir; a missing, damaged or
unwritable copy never changes which domain a link belongs to (test_i18n.py holds the same for
the messages)."""

from __future__ import annotations

import pytest

from cardguard.verify import suffixes

HOSTS = {
    "a.b.americanexpress.co.jp": "americanexpress.co.jp",
    "secure.americanexpress.com": "americanexpress.com",
    "x.www.ck": "www.ck",  # an exception rule under a wildcard
    "a.b.ck": "a.b.ck",  # the wildcard
    "foo.github.io": "foo.github.io",  # a private rule counts
    "example.invalidtld": "",
    "co.uk": "",
}


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache dir, and nothing read from a copy earlier in this process."""
    from cardguard.directory import load

    monkeypatch.setenv("CARDGUARD_CACHE_DIR", str(tmp_path))
    for cached in (suffixes._rules, load._shipped):
        cached.cache_clear()
    yield tmp_path
    for cached in (suffixes._rules, load._shipped):
        cached.cache_clear()


def answers() -> dict[str, str]:
    suffixes._rules.cache_clear()
    return {host: suffixes.registrable_domain(host) for host in HOSTS}


def test_the_copy_gives_the_same_domains_as_the_list(fresh_cache):
    assert answers() == HOSTS  # built from the list, copy written
    (copy,) = fresh_cache.glob("public-suffixes-*.json")
    assert answers() == HOSTS  # read from the copy
    for damage in ("{}", '{"uk": "x"}', "[1, 2]", "{\"co", ""):
        copy.write_text(damage, encoding="utf-8")
        assert answers() == HOSTS, damage
    assert suffixes.known_top_label("uk") and not suffixes.known_top_label("co.uk")


def test_an_unwritable_cache_dir_only_costs_the_parse(fresh_cache, monkeypatch):
    blocked = fresh_cache / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("CARDGUARD_CACHE_DIR", str(blocked))
    assert answers() == HOSTS


def shipped_now() -> list:
    from cardguard.directory import load

    load._shipped.cache_clear()
    return [issuer.data for issuer in load._shipped()]


def test_the_issuers_copy_gives_the_same_directory_as_the_files(fresh_cache):
    import tomllib

    from cardguard.directory import load
    from cardguard.directory.schema import IssuerFile
    from cardguard.records import read

    files = [read(IssuerFile, tomllib.loads(text)) for _, text in load._shipped_files()]
    assert shipped_now() == files  # read from the files, copy written
    (copy,) = fresh_cache.glob("issuers-*.json")
    assert shipped_now() == files  # read from the copy
    text = copy.read_text(encoding="utf-8")
    # A damaged copy, or one whose values no longer read (a number where a time was), is not used.
    # One flipped byte in a number or a zone read as valid data, and would have been shown.
    for damage in ("{}", "[1]", "[{}]", text[: len(text) // 2], text.replace('"09:00:00"', "9", 1),
                   text.replace('"schema_version": 1', '"schema_version": 2', 1),
                   text.replace("0120-020120", "0120-020121"), text.replace("Asia/Tokyo", "America/New_York"),
                   "[" * 100_000 + "]" * 100_000):
        copy.write_text(damage, encoding="utf-8")
        assert shipped_now() == files, damage[:40]


def test_an_unwritable_cache_dir_still_reads_the_issuers(fresh_cache, monkeypatch):
    blocked = fresh_cache / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("CARDGUARD_CACHE_DIR", str(blocked))
    assert [data.issuer.id for data in shipped_now()] == ["amex-jp"]
