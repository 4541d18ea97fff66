"""What the holder's own receiving server wrote, told apart from what the sender wrote.

A receiver only ever adds headers on top of the message it accepted. So the headers above its entry
`Received` line (the one where it took the mail from the outside, "from <host> [ip] by <receiver>")
are its own. Some receivers also stamp right below that line (Gmail writes Received-SPF and
Authentication-Results there); which ones do is data (data/receivers.toml), because just below that
line is also where the first header of the received mail sits, and anyone can start a mail with an
Authentication-Results. Everything below the receiver's own block is the sender's word, including any
`Received` or `Authentication-Results` naming the receiver.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from functools import cache
from importlib import resources

from cardguard.values import record

# A Received line, "from HOST … by HOST" or "by HOST", read in linear time as the pattern
# ``^\s*(?:from\s+(?P<from>\S+)(?P<detail>.*?)\s+)?by\s+(?P<by>\S+)`` (IGNORECASE, DOTALL) read
# it: that pattern tried every split of a long "from" name (28 s for 20,000 letters). Its "from"
# is always the whole name (a shorter one leaves the same places for " by " to be), and " by " the
# first run of white space followed by "by", white space and a name.
_FROM = re.compile(r"\s*from\s+(\S+)", re.IGNORECASE)
_BY_AFTER = re.compile(r"(?<!\s)\s+by\s+(\S+)", re.IGNORECASE)
_BY_ONLY = re.compile(r"\s*by\s+(\S+)", re.IGNORECASE)
_IP = re.compile(r"\[(?:IPv6:)?([0-9a-fA-F:.]+)\]")
# "from <helo> (<reverse DNS> [ip])": the name in brackets is what the receiver looked up itself.
_LOOKED_UP = re.compile(r"^\s*\(\s*([A-Za-z0-9._-]+?)\.?\s*\[")
# Headers a receiver stamps beside its entry Received line.
_STAMPS = {"authentication-results", "received-spf", "arc-seal", "arc-message-signature",
           "arc-authentication-results"}
# Headers a delivery agent writes above everything else, when the receiver wrote no Received line.
_DELIVERY = _STAMPS | {"received", "return-path", "delivered-to", "x-original-to", "envelope-to"}


@cache
def stamps_below_entry() -> dict[str, frozenset[str]]:
    """authserv-id -> the headers that receiver writes directly below its entry Received line."""
    text = resources.files("cardguard.verify").joinpath("data/receivers.toml").read_text(encoding="utf-8")
    return {r["authserv_id"].lower(): frozenset(n.lower() for n in r["stamps_below_entry"])
            for r in tomllib.loads(text).get("receiver", [])}


@record
class Entry:
    index: int  # of the entry Received header in the header list
    ip: str | None  # the connecting IP, None when the line names none that parses
    helo: str
    by: str = ""  # the receiver's host that wrote the line


def _names(trusted_ids: list[str]) -> list[str]:
    return [i.strip().lower().rstrip(".") for i in trusted_ids if i.strip()]


def _within(host: str, names: list[str]) -> bool:
    host = host.lower().rstrip(".;")
    return any(host == n or host.endswith("." + n) for n in names)


def read_received(value: str) -> tuple[str | None, str | None, str] | None:
    """(from, detail, by) of a Received line; from and detail None for "by HOST" alone."""
    origin = _FROM.match(value)
    if origin is not None:
        by = _BY_AFTER.search(value, origin.end())
        if by is not None:
            return origin.group(1), value[origin.end():by.start()], by.group(1)
        return None  # it starts "from": it cannot start "by" too
    by = _BY_ONLY.match(value)
    return (None, None, by.group(1)) if by else None


def entry(headers: list[tuple[str, str]], trusted_ids: list[str]) -> Entry | None:
    """The Received line where the trusted receiver accepted the mail, if it sits at the top.

    Walking down from the top: the receiver's internal hops (by one of its hosts, or with no
    "from" at all) are skipped; the first line by the receiver from a host outside it is the entry;
    a line by any other host first means the mail reached the receiver's top through someone else,
    and there is no entry to believe."""
    names = _names(trusted_ids)
    if not names:
        return None
    for index, (name, value) in enumerate(headers):
        if name.lower() != "received":
            continue
        found = read_received(value)
        if not found:
            return None
        origin, detail, by = found
        if not _within(by, names):
            if origin is None:
                continue  # an internal hop that names no origin (Gmail's "by 2002:...")
            return None
        if origin is None:
            continue
        detail = detail or ""
        ip = None
        for candidate in _IP.findall(detail):
            try:
                ip = str(ipaddress.ip_address(candidate))
                break
            except ValueError:
                continue
        if _internal(origin, detail, ip, names):
            continue
        return Entry(index, ip, origin, by.lower().rstrip(".;"))
    return None


def _internal(helo: str, detail: str, ip: str | None, names: list[str]) -> bool:
    """Whether a hop came from inside the receiver. The HELO name is whatever the connecting host
    said (a sender can say "mx.icloud.com"); the name the receiver looked up, or a private address,
    is what it knows."""
    looked_up = _LOOKED_UP.match(detail)
    if looked_up:
        return _within(looked_up.group(1), names)
    if ip is not None:
        address = ipaddress.ip_address(ip)
        return _within(helo, names) and (address.is_private or address.is_loopback)
    return _within(helo, names)


def block_end(headers: list[tuple[str, str]], trusted_ids: list[str]) -> int:
    """Index of the first header the trusted receiver did not write."""
    found = entry(headers, trusted_ids)
    if found is None:
        index = 0
        while index < len(headers) and headers[index][0].lower() in _DELIVERY:
            if headers[index][0].lower() == "received":
                break  # a hop that is not the trusted receiver's entry: the sender's side starts
            index += 1
        return index
    # Its stamps are what it wrote above its own Received line, and below it only the headers this
    # receiver is known to write there: otherwise a stamp just below that line may be the first
    # header of the message it received, and anyone can start a mail with one.
    end = found.index + 1
    below = next((stamps for name, stamps in stamps_below_entry().items() if _within(found.by, [name])
                  and name in _names(trusted_ids)), frozenset())
    while end < len(headers) and headers[end][0].lower() in below:
        end += 1
    return end


def trace_end(headers: list[tuple[str, str]], trusted_ids: list[str]) -> int:
    """Index of the first header below the receiver's block that is not a trace stamp: a stamp
    between the block's end and here sits where a receiver of unknown layout may have written it."""
    end = block_end(headers, trusted_ids)
    if entry(headers, trusted_ids) is None:
        return end
    while end < len(headers) and headers[end][0].lower() in _STAMPS:
        end += 1
    return end
