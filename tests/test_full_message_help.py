"""How to get a mail's full source, per mail app (verify/data/full_message_help.toml): each entry cites
the provider's own help page, and the steps shown to a holder are the ones the data file holds, in
both languages."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from cardguard.directory.load import load_directory
from cardguard.verify.pasted import analyse_pasted, full_message_help

# Whose help page each entry must cite: the provider's own, never a third party's article.
OWN_HELP = {
    "icloud": "support.apple.com",
    "mac-mail": "support.apple.com",
    "gmail": "support.google.com",
    "outlook": "support.microsoft.com",
    "yahoo": "knowledge.support.yahoo-net.jp",
}
KANA = re.compile(r"[\u3040-\u30ff]")


def test_every_entry_cites_the_providers_own_help_page():
    providers = full_message_help()
    assert [p.id for p in providers] == list(OWN_HELP)
    for provider in providers:
        address = urlparse(provider.source_url)
        assert address.scheme == "https" and address.hostname == OWN_HELP[provider.id], provider.id
        assert provider.source_title


def test_steps_are_given_in_both_languages():
    for provider in full_message_help():
        assert KANA.search(provider.steps.ja), provider.id
        # English steps may quote a Japanese menu label, but never read as Japanese prose.
        assert not KANA.search(provider.steps.en.replace("詳細ヘッダー", "")), provider.id
        assert provider.steps.en.rstrip().endswith((".", ")")), provider.id


def test_icloud_steps_follow_apples_current_menu():
    # Apple's page (View all email headers): More > Show All Headers; the old gear menu's
    # "Show Long Headers" is gone from iCloud.com.
    icloud = next(p for p in full_message_help() if p.id == "icloud")
    assert "Show All Headers" in icloud.steps.en and "Show All Headers" in icloud.steps.ja
    assert "Long" not in icloud.steps.en and "長いヘッダ" not in icloud.steps.ja


def test_a_pasted_body_lists_every_way_to_the_full_message_with_its_source():
    text = "アメリカン・エキスプレス・カード会員様\nSafeKey認証コード：482913\nhttps://www.americanexpress.com/jp/"
    verdict = analyse_pasted(text, load_directory())
    assert verdict.verdict == "unverifiable"
    for lang in ("ja", "en"):
        listed = verdict.as_json(lang)["get_full_message"]
        assert [(g["id"], g["steps"], g["source_url"]) for g in listed] == \
            [(p.id, p.steps(lang), p.source_url) for p in full_message_help()]
