"""Where a mailbox password (and an ntfy topic URL, which is just as secret) is kept.

The OS keyring when one works; on a machine without one (a headless Linux box, where keyring falls
back to its fail or null backend) a file in the config dir that only the user can read (0600).
Callers are told which, so the holder can be told too. A secret is never printed or logged."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cardguard import paths

SERVICE = "cardguard-mail"


def secrets_file() -> Path:
    return paths.config_dir() / "mail-secrets.json"


def _keyring():
    """The keyring backend if it can really hold a secret, else None."""
    if os.environ.get("CARDGUARD_SECRETS") == "file":
        return None
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring install is the same as none
        return None
    if isinstance(backend, fail.Keyring | null.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return backend


def where() -> str:
    """"keyring" or the path of the 0600 file, for telling the holder where the secret went."""
    return "keyring" if _keyring() is not None else str(secrets_file())


def _read_file() -> dict[str, str]:
    try:
        return json.loads(secrets_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}


def _write_file(values: dict[str, str]) -> None:
    path = secrets_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    # Created 0600 from the first byte: a chmod afterwards would leave a moment when others could read.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(values, handle)
    os.chmod(temp, 0o600)
    os.replace(temp, path)


def save(key: str, secret: str) -> str:
    backend = _keyring()
    if backend is not None:
        try:
            backend.set_password(SERVICE, key, secret)
            return "keyring"
        except Exception:  # noqa: BLE001 - a locked or refusing keyring falls back to the file
            pass
    values = _read_file()
    values[key] = secret
    _write_file(values)
    return str(secrets_file())


def load(key: str) -> str | None:
    backend = _keyring()
    if backend is not None:
        try:
            found = backend.get_password(SERVICE, key)
            if found is not None:
                return found
        except Exception:  # noqa: BLE001
            pass
    return _read_file().get(key)


def delete(key: str) -> None:
    backend = _keyring()
    if backend is not None:
        try:
            backend.delete_password(SERVICE, key)
        except Exception:  # noqa: BLE001 - nothing stored there
            pass
    values = _read_file()
    if key in values:
        del values[key]
        _write_file(values)


def password_key(account: str) -> str:
    return f"password:{account}"


def ntfy_key(account: str) -> str:
    return f"ntfy:{account}"


def shown_topic(url: str) -> str:
    """An ntfy topic URL as it may be shown: the server and the topic's first characters only."""
    head, _, topic = url.rstrip("/").rpartition("/")
    return f"{head}/{topic[:3]}…" if topic else head
