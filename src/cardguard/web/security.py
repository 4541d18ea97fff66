"""Who may use the web app, and what a page may do.

- Loopback only by default; any other address needs a passphrase (scrypt hash in the config dir)
  and a login.
- Every form carries a CSRF token bound to the session.
- A strict Content-Security-Policy: scripts and styles only from the app itself, nothing else at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import tomllib
from dataclasses import dataclass, field

from cardguard import paths
from cardguard.errors import UserError

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'")
# The sanitized preview of an email: no script, no network, not even its own styles' URLs.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"
# The printable report carries its own inline styles and nothing else: no script, no network.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_passphrase(passphrase: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(passphrase.encode(), salt=salt, dklen=32, **SCRYPT)
    return "scrypt$%d$%d$%d$%s$%s" % (SCRYPT["n"], SCRYPT["r"], SCRYPT["p"], base64.b64encode(salt).decode(),
                                      base64.b64encode(digest).decode())


def check_passphrase(passphrase: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(passphrase.encode(), salt=base64.b64decode(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def passphrase_file():
    return paths.config_dir() / "web.toml"


def stored_passphrase() -> str | None:
    path = passphrase_file()
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("passphrase_hash")
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        raise UserError("error.file_invalid", file=str(path), line="?", field="passphrase_hash", problem="-") from None


def save_passphrase(passphrase: str) -> None:
    if len(passphrase) < 10:
        raise UserError("error.passphrase_short")
    path = passphrase_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'passphrase_hash = "{hash_passphrase(passphrase)}"\n', encoding="utf-8")
    path.chmod(0o600)


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    authenticated: bool = False


class Sessions:
    """In memory: a restart logs everyone out, which for a personal tool is a feature."""

    def __init__(self) -> None:
        self._by_id: dict[str, Session] = {}

    def get_or_create(self, session_id: str | None) -> tuple[str, Session]:
        if session_id and session_id in self._by_id:
            return session_id, self._by_id[session_id]
        new_id = secrets.token_urlsafe(32)
        if len(self._by_id) > 10_000:
            self._by_id.clear()
        self._by_id[new_id] = Session()
        return new_id, self._by_id[new_id]
