"""A real Dovecot IMAP server on loopback for the mailbox tests: its own config, TLS from a test CA
(trustme), one user, a Junk folder marked \\Junk (RFC 6154), all inside a temporary folder.
See /work/shared/facts/imap-testing.md for why each setting is there."""

from __future__ import annotations

import imaplib
import os
import pwd
import grp
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import trustme

USER = "holder@example.jp"
PASSWORD = "correct horse battery staple 7f3k"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    def __init__(self, root: Path) -> None:
        self.root = root
        # The auth process does not run as root: every folder on the way to the passwd-file must be
        # readable by others, or each login fails with "Temporary authentication failure". So the
        # root is made by tempfile under /tmp (pytest's own tmp folders are mode 700), then opened.
        root.chmod(0o755)
        self.port = free_port()
        self.ca = trustme.CA()
        self.ca_file = root / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        cert.private_key_pem.write_to_path(str(root / "server.key"))
        cert.cert_chain_pems[0].write_to_path(str(root / "server.crt"))
        # A certificate from a CA nobody trusts: for the "does not verify" test.
        self.other_ca = trustme.CA()
        self.other_ca_file = root / "other-ca.pem"
        self.other_ca.cert_pem.write_to_path(str(self.other_ca_file))
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (root / "passwd").chmod(0o644)
        home = root / "home"
        home.mkdir()
        nobody = pwd.getpwnam("nobody")
        nogroup = grp.getgrnam("nogroup")
        os.chown(home, nobody.pw_uid, nogroup.gr_gid)
        self.maildir = home / USER / "Maildir"
        (root / "run").mkdir()
        (root / "state").mkdir()
        self.config = root / "dovecot.conf"
        self.config.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/server.crt
ssl_key = <{root}/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain
first_valid_uid = {nobody.pw_uid}
first_valid_gid = {nogroup.gr_gid}
mail_location = maildir:~/Maildir
default_login_user = nobody
default_internal_user = nobody
default_internal_group = nogroup
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={home}/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.port}
    ssl = yes
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Junk {{
    special_use = \\Junk
    auto = create
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
}}
""")

    def start(self) -> None:
        # In the foreground (-F), in a process group of its own: stopping kills the master and every
        # child (imap, imap-login, auth) at once, as a crashed or restarted server would, and no other
        # developer's Dovecot is touched. (A daemonised master killed alone leaves its imap
        # processes serving their connections.)
        self.log_file = open(self.root / "start.log", "ab")
        self.proc = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", str(self.config)], stdin=subprocess.DEVNULL,
                                     stdout=self.log_file, stderr=self.log_file, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen on {self.port}:\n{self.log()}")

    def stop(self) -> None:
        proc = getattr(self, "proc", None)
        if proc is None or proc.poll() is not None and not self._group_alive(proc.pid):
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=20)
        deadline = time.monotonic() + 20
        while self._group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.log_file.close()

    @staticmethod
    def _group_alive(pgid: int) -> bool:
        try:
            os.killpg(pgid, 0)
            return True
        except ProcessLookupError:
            return False

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def client(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        client = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context, timeout=30)
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            status, detail = client.append(folder, None, None, raw)
            assert status == "OK", detail
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, bytes]:
        """Every message's flags, read with a separate connection (what another mail app would see)."""
        client = self.client()
        try:
            client.select(folder, readonly=True)
            status, data = client.uid("FETCH", "1:*", "(FLAGS)")
            out = {}
            for item in data:
                if not item:
                    continue
                text = item if isinstance(item, bytes) else item[0]
                uid = int(text.split(b"UID ")[1].split()[0].rstrip(b")"))
                out[uid] = text.split(b"FLAGS (")[1].split(b")")[0]
            return out
        finally:
            client.logout()

    def count(self, folder: str = "INBOX") -> int:
        client = self.client()
        try:
            status, data = client.select(folder, readonly=True)
            return int(data[0])
        finally:
            client.logout()

    def processes(self, name: str) -> list[int]:
        """The pids of this server's processes called ``name`` (e.g. "imap": one per connection)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            command, rest = stat.split("(", 1)[1].rsplit(")", 1)
            if command == name and int(rest.split()[2]) == self.proc.pid:  # the process group is the master's
                found.append(int(entry.name))
        return sorted(found)

    def deliver_offline(self, raw: bytes, name: str, folder: str = "INBOX") -> None:
        """Put a message straight into the Maildir (as a delivery agent would) while Dovecot is down."""
        # Maildir++ keeps a folder other than the inbox in a dot-directory of its own.
        new = (self.maildir if folder == "INBOX" else self.maildir / f".{folder}") / "new"
        new.mkdir(parents=True, exist_ok=True)
        path = new / name
        path.write_bytes(raw)
        nobody = pwd.getpwnam("nobody")
        nogroup = grp.getgrnam("nogroup")
        os.chown(path, nobody.pw_uid, nogroup.gr_gid)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def new_server() -> Dovecot:
    import tempfile

    server = Dovecot(Path(tempfile.mkdtemp(prefix="cg-dovecot-")))
    server.start()
    return server


@pytest.fixture
def server():
    """A fresh Dovecot for one test, removed after it. The mailbox tests import it (`from dovecot
    import server`) rather than each writing it again."""
    dovecot = new_server()
    yield dovecot
    dovecot.cleanup()
