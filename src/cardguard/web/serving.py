"""Serving the app where a phone can reach it: the addresses to open, a QR code of the URL, HTTPS
with a certificate the holder can install (or their own), and a port that is really free."""

from __future__ import annotations

import datetime as dt
import errno
import ipaddress
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from cardguard.errors import UserError, os_reason

WILDCARDS = ("0.0.0.0", "::", "")


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def _interface_addresses() -> list[str]:
    """IPv4 addresses of this machine's interfaces, read from the kernel (Linux); nothing is sent."""
    found: list[str] = []
    try:
        import fcntl
        import struct

        for _, name in socket.if_nameindex():
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                try:
                    packed = fcntl.ioctl(probe.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))  # SIOCGIFADDR
                except OSError:
                    continue
                found.append(socket.inet_ntoa(packed[20:24]))
    except (ImportError, OSError, AttributeError):
        pass
    return found


def lan_addresses() -> list[str]:
    """The addresses on which another device of the home network can reach this machine."""
    candidates = _interface_addresses()
    try:
        candidates += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    seen: list[str] = []
    for address in candidates:
        if _usable(address) and address not in seen:
            seen.append(address)
    return seen


def host_names() -> list[str]:
    name = socket.gethostname().strip().lower()
    return [name, f"{name}.local"] if name and name != "localhost" else []


def urls(host: str, port: int, scheme: str) -> list[str]:
    """What to type (or scan) to open the app: the LAN addresses when serving every interface."""
    targets = lan_addresses() if host in WILDCARDS else [host]
    out = []
    for target in targets or ["127.0.0.1"]:
        shown = f"[{target}]" if ":" in target else target
        out.append(f"{scheme}://{shown}:{port}/")
    return out


def qr_text(url: str) -> str:
    """The URL as a QR code a phone's camera reads off the terminal."""
    import io

    import segno

    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True, border=2)
    return buffer.getvalue()


def check_port(port: int) -> None:
    if not 1 <= port <= 65535:
        raise UserError("webserve.bad_port", port=port)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound now: a port in use is a clear error before anything is announced."""
    check_port(port)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6 and host == "::":
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    try:
        sock.bind((host or "0.0.0.0", port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UserError("webserve.port_in_use", port=port) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise UserError("webserve.port_denied", port=port) from None
        raise UserError("webserve.cannot_bind", host=host, port=port, **os_reason(exc)) from None
    sock.set_inheritable(True)
    return sock


@dataclass
class Certificate:
    cert: Path
    key: Path
    generated: bool


def certificate(config_dir: Path, names: list[str], addresses: list[str], cert: str | None,
                key: str | None) -> Certificate:
    """The holder's own certificate and key when given, else a self-signed one kept in the config dir
    (made again when it no longer names this machine's addresses, or is about to expire)."""
    if cert or key:
        if not (cert and key):
            raise UserError("webserve.cert_and_key")
        for path in (cert, key):
            if not Path(path).is_file():
                raise UserError("error.input_unreadable", path=path, reason="not found")
        return Certificate(Path(cert), Path(key), False)
    cert_path, key_path = config_dir / "web-cert.pem", config_dir / "web-key.pem"
    wanted = sorted({*names, "localhost"}), sorted({*addresses, "127.0.0.1"})
    if cert_path.is_file() and key_path.is_file() and _covers(cert_path, *wanted):
        return Certificate(cert_path, key_path, False)
    _self_signed(cert_path, key_path, *wanted)
    return Certificate(cert_path, key_path, True)


def _covers(cert_path: Path, names: list[str], addresses: list[str]) -> bool:
    from cryptography import x509

    try:
        loaded = x509.load_pem_x509_certificate(cert_path.read_bytes())
        sans = loaded.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, OSError, x509.ExtensionNotFound):
        return False
    have_names = set(sans.get_values_for_type(x509.DNSName))
    have_ips = {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}
    fresh = loaded.not_valid_after_utc > dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    return fresh and set(names) <= have_names and set(addresses) <= have_ips


def _self_signed(cert_path: Path, key_path: Path, names: list[str], addresses: list[str]) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cardguard on " + (names[0] if names else "this computer")),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cardguard (self-signed)")])
    now = dt.datetime.now(dt.timezone.utc)
    alt = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    built = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
             .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
             # 397 days: what Apple's platforms accept for a TLS server certificate.
             .not_valid_after(now + dt.timedelta(days=397))
             .add_extension(x509.SubjectAlternativeName(alt), critical=False)
             .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
             .sign(key, hashes.SHA256()))
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(built.public_bytes(serialization.Encoding.PEM))


def is_terminal() -> bool:
    return sys.stdout.isatty()
