"""The web app under hostile input: a time zone cookie naming no zone, and a check that takes long
(its DNS server holds every question) leaving every other page answering."""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest
from dnslib import RCODE, DNSRecord
from fastapi.testclient import TestClient

from cardguard.web.app import ROUTERS, create_app
from mailkit import message

JA = {"accept-language": "ja-JP,ja;q=0.9"}


def pages() -> list[str]:
    """Every page the app shows without an id in its address."""
    found = {route.path for router in ROUTERS for route in router.routes
             if "GET" in getattr(route, "methods", ()) and "{" not in route.path}
    return sorted(found - {"/certificate"})  # only offered while serving HTTPS


def test_the_pages_are_known():
    assert {"/", "/check", "/cards", "/call", "/incidents", "/mail"} <= set(pages())


@pytest.mark.parametrize("cookie", ["America", "../../etc/passwd", "\x00", "Asia/Tokyo/../../..", "x" * 10_000,
                                    "%2e%2e%2fetc%2fpasswd", "America%00", "zone.tab", "/etc/localtime", "Europe/"])
def test_a_time_zone_cookie_naming_no_zone_leaves_every_page_working(profile, cookie):
    client = TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)
    for path in pages():
        for headers in (JA, {"accept-language": "en"}):
            page = client.get(path, headers={**headers, "cookie": f"tz={cookie}"})
            assert page.status_code == 200, (path, page.status_code)


def test_a_real_zone_in_the_cookie_is_still_used(profile):
    from cardguard.web.guard import page_zone

    class Asked:
        cookies = {"tz": "America/New_York"}

    assert str(page_zone(Asked(), "ja")) == "America/New_York"
    Asked.cookies = {"tz": "America"}
    assert str(page_zone(Asked(), "ja")) == "Asia/Tokyo"  # the holder's default zone


class HeldDns:
    """A DNS server on loopback that holds every question until released, then answers SERVFAIL."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.asked = threading.Event()
        self.released = threading.Event()
        self.done = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        held = []
        while not self.done:
            try:
                data, peer = self.sock.recvfrom(4096)
                held.append((data, peer))
                self.asked.set()
            except (TimeoutError, OSError):
                pass
            if self.released.is_set():
                for data, peer in held:
                    reply = DNSRecord.parse(data).reply()
                    reply.header.rcode = RCODE.SERVFAIL
                    self.sock.sendto(reply.pack(), peer)
                held = []

    def close(self) -> None:
        self.done = True
        self.thread.join()
        self.sock.close()


def test_other_pages_answer_while_a_slow_check_runs(profile):
    dns = HeldDns()
    (profile / "config" / "config.toml").write_text(f'[check]\nresolver = "127.0.0.1:{dns.port}"\n')
    # Whatever happens, the check is let go after a while: a frozen app then shows as a late answer.
    release = threading.Timer(8, dns.released.set)
    release.start()
    try:
        with TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/check", headers=JA).text).group(1)
            outcome = {}

            def upload() -> None:
                # A live check (not offline): it asks the held DNS server about the sender.
                outcome["page"] = client.post("/check", data={"csrf": token}, headers=JA,
                                              files={"file": ("m.eml", message(), "message/rfc822")})
                outcome["at"] = time.monotonic()

            checking = threading.Thread(target=upload)
            checking.start()
            assert dns.asked.wait(30), "the check never asked the DNS server"
            home = client.get("/", headers=JA)
            answered = time.monotonic()
            assert home.status_code == 200
            assert not dns.released.is_set(), "the home page answered only once the check was let go"
            dns.released.set()
            checking.join(60)
            assert outcome["page"].status_code == 200 and outcome["at"] > answered
            assert 'data-verdict="suspicious"' in outcome["page"].text  # DNS failed: cannot be confirmed
    finally:
        release.cancel()
        dns.released.set()
        dns.close()
