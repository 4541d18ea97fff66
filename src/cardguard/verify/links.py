"""Every link in a message: where it really goes (the href, not the text), unwrapped from
protective wrappers, and what about it should worry a card holder. Nothing is ever fetched."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import parse_qsl, unquote, urlsplit

from cardguard.directory.load import Issuer
from cardguard.verify.domains import is_ip, registered_domain, to_ascii, to_unicode
from cardguard.verify.identity import is_official_link, lookalike
from cardguard.verify.message import Mail
from cardguard.verify.model import Finding, LinkInfo, finding

MAX_LINKS = 500
_TEXT_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'、。「」（）()\u3000]+", re.IGNORECASE)
_DOMAIN_IN_TEXT = re.compile(r"(?:https?://)?((?:[a-z0-9\u00a1-\uffff-]+\.)+[a-z\u00a1-\uffff]{2,})(?=[/:\s]|$)", re.IGNORECASE)
_SCRIPT_SCHEMES = ("javascript", "data", "vbscript", "file")


@cache
def shorteners() -> frozenset[str]:
    text = resources.files("cardguard.verify").joinpath("data/shorteners.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class RawLink:
    url: str
    text: str | None
    kind: str  # "anchor", "form", "refresh", "text"


def collect(mail: Mail) -> list[RawLink]:
    links: list[RawLink] = []
    for html in mail.html:
        links += [RawLink(href.strip(), text, "anchor") for href, text in html.anchors]
        links += [RawLink(action.strip(), None, "form") for action in html.forms if action.strip()]
        links += [RawLink(url, None, "refresh") for url in html.refresh]
        links += [RawLink(url.rstrip(".,;:!?"), None, "text") for url in _TEXT_URL.findall(html.text)]
    links += [RawLink(url.rstrip(".,;:!?"), None, "text") for url in _TEXT_URL.findall(mail.text)]
    unique: dict[tuple[str, str | None], RawLink] = {}
    for link in links:
        if link.url and not link.url.lower().startswith(("mailto:", "tel:", "#", "cid:")):
            unique.setdefault((link.url, link.text), link)
    # A URL shown only as text is dropped when an anchor already goes there.
    anchored = {link.url for link in unique.values() if link.kind != "text"}
    return [link for link in unique.values() if link.kind != "text" or link.url not in anchored][:MAX_LINKS]


def _split(url: str):
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        return urlsplit(url)
    except ValueError:
        return None


def unwrap(url: str) -> tuple[str, str | None]:
    """The URL inside a protective wrapper (Microsoft SafeLinks, Proofpoint, Google), if any."""
    for _ in range(5):  # wrappers can nest
        parts = _split(url)
        if not parts or not parts.hostname:
            return url, None
        host = parts.hostname.lower()
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        inner = None
        if host.endswith("safelinks.protection.outlook.com"):
            inner, name = query.get("url"), "SafeLinks"
        elif host == "urldefense.proofpoint.com" and "/v2/" in parts.path:
            encoded = query.get("u", "")
            inner, name = unquote(encoded.replace("-", "%").replace("_", "/")), "Proofpoint"
        elif host == "urldefense.com" and parts.path.startswith("/v3/__"):
            inner, name = url.split("/v3/__", 1)[1].split("__;", 1)[0], "Proofpoint"
        elif host in ("www.google.com", "google.com") and parts.path == "/url":
            inner, name = query.get("q") or query.get("url"), "Google"
        elif host == "linkprotect.cudasvc.com":
            inner, name = query.get("a"), "Barracuda"
        if not inner:
            return url, None
        url, wrapped = inner, name
        return unwrap(url)[0], wrapped
    return url, None


def _embedded_target(query: str) -> str | None:
    for _, value in parse_qsl(query, keep_blank_values=True):
        value = unquote(value)
        if re.match(r"^(https?:)?//[^/\s]+\.", value, re.IGNORECASE):
            return value
    return None


def analyse(raw: list[RawLink], issuer: Issuer | None) -> tuple[list[LinkInfo], list[Finding]]:
    infos: list[LinkInfo] = []
    findings: list[Finding] = []

    def note(code: str, severity: str, url: str, **values) -> None:
        findings.append(finding(code, severity, url, url=url[:200], **values))

    for link in raw:
        target, wrapper = unwrap(link.url)
        parts = _split(target)
        scheme = (parts.scheme.lower() if parts else "") or ""
        if scheme in _SCRIPT_SCHEMES:
            note("link.script_url", "bad", target[:80], scheme=scheme)
            infos.append(LinkInfo(target[:2000], link.text, "", "", False, wrapper))
            continue
        host = (parts.hostname or "") if parts else ""
        try:
            host = to_ascii(host) if host else ""
        except Exception:  # noqa: BLE001
            pass
        registered = registered_domain(host) if host else ""
        official = bool(issuer and host and is_official_link(issuer, host))
        infos.append(LinkInfo(target[:2000], link.text, host, registered, official, wrapper))
        if not host:
            continue
        if wrapper:
            note("link.unwrapped", "info", target, wrapper=wrapper, domain=registered)
        if parts and parts.username is not None:
            note("link.userinfo", "bad", target, shown=parts.username, domain=registered)
        if is_ip(host):
            note("link.ip_literal", "bad", target, host=host)
        if registered in shorteners():
            note("link.shortener", "warn", target, domain=registered)
        if "xn--" in host:
            note("link.punycode", "warn", target, host=host, shown=to_unicode(host))
        if link.kind == "form":
            note("link.form", "bad", target, domain=registered)
        embedded = _embedded_target(parts.query) if parts else None
        if embedded:
            inner = _split(embedded if "//" in embedded[:8] else "http:" + embedded)
            inner_host = (inner.hostname or "") if inner else ""
            if inner_host and registered_domain(inner_host) != registered:
                note("link.redirector", "warn", target, domain=registered, target=registered_domain(inner_host))
        if issuer:
            imitation = lookalike(issuer, host)
            if imitation:
                note("link.lookalike", "bad", target, domain=registered, official=imitation[1])
            elif not official:
                note("link.foreign", "warn", target, domain=registered)
            else:
                note("link.official", "good", target, domain=registered)
        if link.text:
            shown = _DOMAIN_IN_TEXT.search(link.text.strip())
            if shown:
                shown_host = to_ascii(shown.group(1).lower().rstrip("."))
                if "." in shown_host and registered_domain(shown_host) != registered:
                    shown_official = bool(issuer and is_official_link(issuer, shown_host))
                    note("link.text_mismatch", "bad", target, shown=shown_host, domain=registered,
                         official_text="yes" if shown_official else "no")
    return infos, _dedupe(findings)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for item in findings:
        key = (item.code, dict(item.values).get("domain"), dict(item.values).get("shown"))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
