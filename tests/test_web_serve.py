"""`cardguard serve`: clear errors for ports, HTTPS with a certificate, and what a phone needs to reach it.
Servers bind loopback on free ports only."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest

from cardguard.web import serving


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("port", ["0", "99999", "-5"])
def test_impossible_ports_are_clear_errors_in_japanese(cardguard, port):
    run = cardguard("serve", "--port", port, "--lang", "ja")
    assert run.code == 2 and "ポート番号ではありません" in run.err and "Traceback" not in run.err
    assert "起動しました" not in run.out


def test_a_port_in_use_is_a_clear_error_before_anything_is_announced(cardguard):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        run = cardguard("serve", "--port", str(port), "--lang", "ja")
    assert run.code == 2 and "すでに使われています" in run.err
    assert "起動しました" not in run.out
    as_json = cardguard("serve", "--port", "0", "--json")
    assert json.loads(as_json.out)["error"]["code"] == "webserve.bad_port"


def test_an_unknown_cardguard_tz_stops_serve_with_a_clear_error(cardguard):
    run = cardguard("serve", "--port", str(free_port()), "--lang", "ja", env={"CARDGUARD_TZ": "Nowhere/Atlantis"})
    assert run.code == 2 and "Nowhere/Atlantis" in run.err and "タイムゾーン" in run.err


def test_every_interface_means_the_lan_addresses_are_printed():
    shown = serving.urls("0.0.0.0", 8765, "https")
    for url in shown:
        host = url.split("//", 1)[1].rsplit(":", 1)[0].strip("[]")
        assert not ipaddress.ip_address(host).is_unspecified
    assert shown == [f"https://{a}:8765/" for a in serving.lan_addresses()] or shown == ["https://127.0.0.1:8765/"]
    assert serving.urls("192.168.1.20", 8765, "https") == ["https://192.168.1.20:8765/"]


def test_the_qr_code_printed_is_the_urls_own():
    import segno

    url = "https://192.168.1.20:8765/"
    printed = serving.qr_text(url).splitlines()
    # Each printed row holds two rows of modules: upper half, lower half, both, or none.
    halves = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}
    rows = []
    for line in printed:
        if not line.strip("\n"):
            continue
        rows.append([halves[c][0] for c in line])
        rows.append([halves[c][1] for c in line])
    expected = segno.make(url, error="m")
    matrix = [[1 - bit for bit in row] for row in expected.matrix]  # a terminal prints light modules as blocks
    border = 2
    inner = [row[border:border + len(matrix)] for row in rows[border:border + len(matrix)]]
    assert inner == matrix


def test_the_certificate_made_for_the_lan_names_its_addresses(tmp_path):
    from cryptography import x509

    made = serving.certificate(tmp_path, ["mybox", "mybox.local"], ["192.168.1.20"], None, None)
    assert made.generated and oct(made.key.stat().st_mode)[-3:] == "600"
    cert = x509.load_pem_x509_certificate(made.cert.read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"mybox", "mybox.local", "localhost"} <= set(sans.get_values_for_type(x509.DNSName))
    assert {"192.168.1.20", "127.0.0.1"} <= {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}
    again = serving.certificate(tmp_path, ["mybox", "mybox.local"], ["192.168.1.20"], None, None)
    assert not again.generated  # kept while it still names this machine
    moved = serving.certificate(tmp_path, ["mybox"], ["192.168.1.30"], None, None)
    assert moved.generated


def test_serve_speaks_https_with_the_holders_own_certificate(cardguard, profile, tmp_path):
    made = serving.certificate(tmp_path / "own", [], [], None, None)
    port = free_port()
    env = {**os.environ, "CARDGUARD_CONFIG_DIR": str(profile / "config"), "CARDGUARD_DATA_DIR": str(profile / "data")}
    process = subprocess.Popen([sys.executable, "-m", "cardguard", "serve", "--port", str(port), "--json",
                                "--cert", str(made.cert), "--key", str(made.key)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        text = ""
        while True:  # the announcement is one JSON object, possibly over several lines
            text += process.stdout.readline().decode()
            try:
                announced = json.loads(text)
                break
            except json.JSONDecodeError:
                assert process.poll() is None, process.stderr.read().decode()
        assert announced["url"] == f"https://127.0.0.1:{port}/"
        context = ssl.create_default_context(cafile=str(made.cert))
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(announced["url"], context=context, timeout=5) as response:
                    assert response.status == 200 and "cardguard" in response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_only_one_of_cert_and_key_is_refused(cardguard, tmp_path):
    run = cardguard("serve", "--port", str(free_port()), "--cert", str(tmp_path / "c.pem"), "--lang", "ja")
    assert run.code == 2 and "--key" in run.err
