"""Whom a message claims to be from, and whether its domains are that issuer's or only look like them."""

from __future__ import annotations

import re
import unicodedata

from cardguard.directory.load import Issuer
from cardguard.i18n import both
from cardguard.values import record
from cardguard.verify.domains import registered_domain, to_unicode, within
from cardguard.verify.model import Finding, finding
from cardguard.verify.skeleton import skeleton

# An address written in a display name. Tried only where a run of address characters starts (or
# right where the last one found ends): from every character of a long run it read the run again
# (quadratic; 20,000 letters took 3 s). A match from inside a run is also one from where the run,
# or the part of it after the last match, starts, so the same are found.
_ADDRESS = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_ADDRESS_STARTING = re.compile(r"(?<![\w.+-])" + _ADDRESS.pattern)


def embedded_addresses(display: str) -> list[str]:
    """The domains of the addresses written in ``display``, as ``_ADDRESS.findall`` finds them."""
    found, position = [], 0
    while True:
        match = _ADDRESS.match(display, position) or _ADDRESS_STARTING.search(display, position)
        if match is None:
            return found
        found.append(match.group(1))
        position = match.end()


_FOLD_DROPPED = "・･.-_'’"


def _fold(text: str) -> str:
    """``text`` as brand words are compared: NFKC, case folded, without white space (what
    str.split() splits on, which is what `\\s` matches) and the separators people put in names."""
    folded = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    for separator in _FOLD_DROPPED:
        if separator in folded:
            folded = folded.replace(separator, "")
    return folded


def official_domains(issuer: Issuer) -> list[str]:
    return sorted({d.domain for d in issuer.data.sending_domains} | {d.domain for d in issuer.data.link_domains})


def is_official_sender(issuer: Issuer, domain: str) -> bool:
    return bool(domain) and any(within(domain, d.domain) for d in issuer.data.sending_domains)


def is_official_link(issuer: Issuer, host: str) -> bool:
    return bool(host) and any(within(host, d) for d in official_domains(issuer))


@record
class Claim:
    issuer: Issuer
    where: tuple[str, ...]  # display name, subject, from domain, body


def brand_tokens(issuer: Issuer) -> set[str]:
    """ASCII words that stand for the issuer in a domain name."""
    entry = _BRAND_TOKENS.get(id(issuer))
    if entry is None or entry[0] is not issuer:
        if len(_BRAND_TOKENS) > 1000:
            _BRAND_TOKENS.clear()
        entry = _BRAND_TOKENS[id(issuer)] = (issuer, frozenset(_brand_tokens(issuer)))
    return set(entry[1])


# id of the issuer object -> (that issuer, its brand tokens): worked out once, not per host judged.
_BRAND_TOKENS: dict[int, tuple[Issuer, frozenset[str]]] = {}


def _brand_tokens(issuer: Issuer) -> set[str]:
    tokens = {registered_domain(d).split(".")[0] for d in official_domains(issuer)}
    for word in issuer.data.issuer.brand_words:
        folded = _fold(word)
        if re.fullmatch(r"[a-z0-9]+", folded):
            tokens.add(folded)
    return tokens


# id of the issuer object -> (that issuer, its brand words folded): the same few issuers every message.
_BRAND_WORDS: dict[int, tuple[Issuer, list[str]]] = {}


def _brand_words(issuer: Issuer) -> list[str]:
    entry = _BRAND_WORDS.get(id(issuer))
    if entry is None or entry[0] is not issuer:
        if len(_BRAND_WORDS) > 1000:  # directories reloaded many times in one process
            _BRAND_WORDS.clear()
        entry = _BRAND_WORDS[id(issuer)] = (issuer, [_fold(w) for w in issuer.data.issuer.brand_words])
    return entry[1]


def claimed_issuer(issuers: list[Issuer], display: str, subject: str, from_domain: str, body: str) -> Claim | None:
    best: Claim | None = None
    fields = {"display_name": _fold(display), "subject": _fold(subject), "body": _fold(body[:20000])}
    for issuer in issuers:
        where = []
        words = _brand_words(issuer)
        for name, text in fields.items():
            if any(w and w in text for w in words):
                where.append(name)
        if is_official_sender(issuer, from_domain) or lookalike(issuer, from_domain):
            where.append("from_domain")
        if where and (best is None or len(where) > len(best.where)):
            best = Claim(issuer, tuple(where))
    return best


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance: typos, including two letters swapped."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def resembled(issuer: Issuer, word: str) -> str:
    """The official domain that ``word`` (a label of an imitating host) resembles most, as a reader
    sees it: the fewest edits between their skeletons. A brand word that resembles none of them
    closely stands for the issuer's main site."""
    domains = sorted({registered_domain(d) for d in official_domains(issuer)})
    if not domains:
        return ""
    shown = skeleton(to_unicode(word).casefold())

    def score(domain: str) -> float:
        label = skeleton(domain.split(".")[0])
        return _distance(shown, label) / max(len(shown), len(label), 1)

    best = min(domains, key=lambda d: (score(d), d))
    if score(best) > 0.5 and issuer.data.link_domains:
        return registered_domain(issuer.data.link_domains[0].domain)
    return best


# (id of the issuer object, host) -> (that issuer, answer): the issuer is kept so its id is never reused.
_LOOKALIKES: dict[tuple[int, str], tuple[Issuer, tuple[str, str] | None]] = {}


def lookalike(issuer: Issuer, host: str) -> tuple[str, str] | None:
    """(kind, the official domain it imitates) when ``host`` imitates the issuer without being it."""
    entry = _LOOKALIKES.get((id(issuer), host))
    if entry is None or entry[0] is not issuer:
        if len(_LOOKALIKES) > 20_000:  # a scan of a whole mailbox stays flat in memory
            _LOOKALIKES.clear()
        entry = _LOOKALIKES[(id(issuer), host)] = (issuer, _lookalike(issuer, host))
    return entry[1]


def _lookalike(issuer: Issuer, host: str) -> tuple[str, str] | None:
    host = host.lower().rstrip(".")
    if not host or is_official_link(issuer, host) or is_official_sender(issuer, host):
        return None
    for entry in issuer.data.not_official:
        if within(host, entry.domain):
            # Named by the official domain it passes for, not by itself.
            return "not_official", resembled(issuer, entry.domain.split(".")[0])
    registered = registered_domain(host)
    label = registered.split(".")[0]
    shown = to_unicode(host)
    shown_label = to_unicode(registered).split(".")[0]
    punycode = "xn--" in host
    words = [w for w in re.split(r"[.\-]", host) if w]
    for token in sorted(brand_tokens(issuer), key=len, reverse=True):
        if label == token:
            return "tld_swap", resembled(issuer, token)
        if skeleton(shown_label) == skeleton(token):
            return ("punycode" if punycode else "homoglyph"), resembled(issuer, token)
        if len(token) >= 6 and label.replace("-", "") == token:
            return "hyphenated", resembled(issuer, token)
        limit = 1 if len(token) < 9 else 2
        # Two words whose lengths differ by more than the limit are further apart than it: not measured.
        typo = next((w for w in [label, *words] if len(token) >= 6 and abs(len(w) - len(token)) <= limit
                     and 0 < _distance(w, token) <= limit), None)
        if typo:
            return "typo", resembled(issuer, typo)
        if len(token) >= 5:
            if any(token in word for word in words) or skeleton(token) in skeleton(shown):
                return "brand_in_domain", resembled(issuer, token)
        elif token in words:
            return "brand_in_domain", resembled(issuer, token)
    return None


def from_findings(claim: Claim | None, display: str, address: str, domain: str, from_count: int,
                  reply_to: list[str]) -> list[Finding]:
    out: list[Finding] = []
    if from_count > 1:
        out.append(finding("from.multiple", "bad", str(from_count)))
    if not address:
        out.append(finding("from.missing", "warn"))
        return out
    if domain and "." not in domain:
        out.append(finding("from.no_tld", "bad" if claim else "warn", address, domain=domain))
    embedded = embedded_addresses(display)
    if any(registered_domain(e.lower()) != registered_domain(domain) for e in embedded):
        out.append(finding("from.display_address", "bad", display, shown=embedded[0], domain=domain))
    for other in reply_to:
        other_domain = other.rsplit("@", 1)[-1]
        if registered_domain(other_domain) != registered_domain(domain):
            out.append(finding("from.reply_to_elsewhere", "warn", other, address=other))
            break
    if not claim:
        return out
    issuer = claim.issuer
    name = issuer.data.issuer.name
    if is_official_sender(issuer, domain):
        out.append(finding("from.official", "info", domain, domain=domain, issuer=name))
        return out
    if claim.where == ("forwarded",):
        # Forwarding an issuer's mail is not impersonating the issuer; it is just not the issuer.
        out.append(finding("from.forwarder", "warn", domain, domain=domain or "-", issuer=name))
        return out
    kind = lookalike(issuer, domain)
    if kind:
        out.append(finding("from.lookalike", "bad", domain, domain=domain, kind=both(f"lookalike_kind.{kind[0]}"),
                           official=kind[1]))
    elif domain and "." in domain:
        out.append(finding("from.foreign", "bad", domain, domain=domain, issuer=name))
    if "display_name" in claim.where:
        out.append(finding("from.display_name_spoof", "bad", f"{display} <{address}>", display=display, domain=domain))
    return out
