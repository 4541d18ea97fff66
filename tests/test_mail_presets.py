"""Provider presets are data with sources; secrets stay secret."""

from __future__ import annotations

import stat
from pathlib import Path

from cardguard.mailbox import secrets
from cardguard.mailbox.presets import presets

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_provider_preset_names_its_source():
    found = presets()
    assert {"icloud", "gmail", "yahoo", "imap"} <= set(found)
    for key, preset in found.items():
        assert preset.password_help.ja and preset.password_help.en
        if key == "imap":
            assert preset.host is None  # the holder names the host
            continue
        assert preset.host and preset.port == 993
        assert preset.source_url.startswith("https://") and preset.password_source_url.startswith("https://")
        assert preset.read_on is not None
        # The README's setup table says the same as the data.
        assert f"{preset.host}:{preset.port}" in README and preset.source_url in README
        if preset.authserv_id:
            assert preset.authserv_source


def test_the_secrets_file_is_only_for_its_owner(profile, monkeypatch):
    monkeypatch.setenv("CARDGUARD_SECRETS", "file")
    assert secrets.save("password:home", "s3cret") == str(secrets.secrets_file())
    assert stat.S_IMODE(secrets.secrets_file().stat().st_mode) == 0o600
    assert secrets.load("password:home") == "s3cret"
    secrets.save("ntfy:home", "https://ntfy.example/cg-topic-9f8e7d6c")
    assert stat.S_IMODE(secrets.secrets_file().stat().st_mode) == 0o600
    secrets.delete("password:home")
    assert secrets.load("password:home") is None and secrets.load("ntfy:home")


def test_a_topic_is_never_shown_in_full():
    shown = secrets.shown_topic("https://ntfy.sh/cg-topic-9f8e7d6c")
    assert shown == "https://ntfy.sh/cg-…" and "9f8e7d6c" not in shown
