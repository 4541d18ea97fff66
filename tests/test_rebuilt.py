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
def fresh_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("CARDGUARD_CACHE_DIR", str(tmp_path))
    suffixes._rules.cache_clear()
    yield tmp_path
    suffixes._rules.cache_clear()


def answers() -> dict[str, str]:
    suffixes._rules.cache_clear()
    return {host: suffixes.registrable_domain(host) for host in HOSTS}


def test_the_copy_gives_the_same_domains_as_the_list(fresh_rules):
    assert answers() == HOSTS  # built from the list, copy written
    (copy,) = fresh_rules.glob("public-suffixes-*.json")
    assert answers() == HOSTS  # read from the copy
    for damage in ("{}", '{"uk": "x"}', "[1, 2]", "{\"co", ""):
        copy.write_text(damage, encoding="utf-8")
        assert answers() == HOSTS, damage
    assert suffixes.known_top_label("uk") and not suffixes.known_top_label("co.uk")


def test_an_unwritable_cache_dir_only_costs_the_parse(fresh_rules, monkeypatch):
    blocked = fresh_rules / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("CARDGUARD_CACHE_DIR", str(blocked))
    assert answers() == HOSTS
