"""Other projects' public DMARC, Public Suffix List and ARC test cases, replayed against cardguard's
own code through a real DNS server on loopback (issue 11 class 7). Each case names its source file
and case; where cardguard deliberately differs, the README's verdict section says why.
"""

from __future__ import annotations

import pytest

import arc_suite_cases
from authkit import HostileZone
from cardguard.verify.arc_check import check_arc
from cardguard.verify.dmarc import check_dmarc, discover
from cardguard.verify.domains import organizational_domain
from cardguard.verify.model import DkimResult
from cardguard.verify.resolver import DnsUnavailable, Resolver
from mailkit import dns_server

MAILAUTH_RECORD = "postalsys/mailauth test/dmarc/get-dmarc-record-test.js"
MAILAUTH_VERIFY = "postalsys/mailauth test/dmarc/dmarc-verify-test.js"


@pytest.fixture(scope="module")
def served():
    """One DNS server for the module; each case puts its own records in the zone."""
    zone = HostileZone()
    with dns_server(zone) as address:
        yield zone, address


def _zone(records: dict[str, list], zone: HostileZone | None = None) -> HostileZone:
    zone = zone or HostileZone()
    zone.txt.clear()
    zone.split.clear()
    zone.behaviour.clear()
    zone.queries.clear()
    for name, values in records.items():
        for value in values:
            if isinstance(value, list):
                zone.add_txt_strings(name, value)
            else:
                zone.add_txt(name, value)
    return zone


# (source, case name, records, domain, expected outcome, expected policy, found at the org domain)
DISCOVERY = [
    (MAILAUTH_RECORD, "Should resolve DMARC record from _dmarc.domain.com",
     {"_dmarc.example.com": ["v=DMARC1; p=reject"]}, "example.com", "found", "reject", False),
    (MAILAUTH_RECORD, "Should return false when no DMARC record exists", {}, "example.com", "none", None, False),
    (MAILAUTH_RECORD, "Should handle whitespace around values",
     {"_dmarc.example.com": ["v=DMARC1 ;  p = reject  ; pct = 100 "]}, "example.com", "found", "reject", False),
    (MAILAUTH_RECORD, "Should handle split TXT records",
     {"_dmarc.example.com": [["v=DMARC1; p=re", "ject; pct=100"]]}, "example.com", "found", "reject", False),
    (MAILAUTH_RECORD, "Should lowercase tag names",
     {"_dmarc.example.com": ["V=DMARC1; P=reject; ADKIM=s"]}, "example.com", "found", "reject", False),
    (MAILAUTH_RECORD, "Should fallback to org domain when subdomain has no record",
     {"_dmarc.example.com": ["v=DMARC1; p=quarantine"]}, "mail.example.com", "found", "quarantine", True),
    (MAILAUTH_RECORD, "Should not fallback when subdomain has its own record",
     {"_dmarc.mail.example.com": ["v=DMARC1; p=reject"], "_dmarc.example.com": ["v=DMARC1; p=none"]},
     "mail.example.com", "found", "reject", False),
    (MAILAUTH_RECORD, "Should not fallback when org domain equals the domain", {}, "example.com", "none", None, False),
    (MAILAUTH_RECORD, "Should return false when no v=DMARC1 record",
     {"_dmarc.example.com": ["v=spf1 include:example.com -all"]}, "example.com", "none", None, False),
    (MAILAUTH_RECORD, "Should return false when multiple DMARC records exist",
     {"_dmarc.example.com": ["v=DMARC1; p=reject", "v=DMARC1; p=none"]}, "example.com", "multiple", None, False),
    (MAILAUTH_RECORD, "Should accept an upper-case tag name with an exact version value (V=DMARC1)",
     {"_dmarc.example.com": ["V=DMARC1; p=reject"]}, "example.com", "found", "reject", False),
    (MAILAUTH_RECORD, "Should reject a version value that is not exactly DMARC1 (v=dmarc1)",
     {"_dmarc.example.com": ["v=dmarc1; p=reject"]}, "example.com", "none", None, False),
    (MAILAUTH_RECORD, "Should filter non-DMARC records from response",
     {"_dmarc.example.com": ["some-other-txt-record", "v=DMARC1; p=reject", "another-record"]},
     "example.com", "found", "reject", False),
    (MAILAUTH_VERIFY, "Should use sp= policy for subdomain with org domain record",
     {"_dmarc.example.com": ["v=DMARC1; p=reject; sp=quarantine"]}, "sub.example.com", "found", "quarantine", True),
    (MAILAUTH_VERIFY, "Should use p= policy for subdomain when sp= not set",
     {"_dmarc.example.com": ["v=DMARC1; p=reject"]}, "sub.example.com", "found", "reject", True),
    # RFC 7489 §6.6.3, cardguard's own cases: what several records or an invalid p= at a level mean.
    ("RFC 7489 §6.6.3", "multiple records at the subdomain end discovery: no fall-through to the parent",
     {"_dmarc.mail.example.com": ["v=DMARC1; p=none", "v=DMARC1; p=quarantine"],
      "_dmarc.example.com": ["v=DMARC1; p=reject"]},
     "mail.example.com", "multiple", None, False),
    ("RFC 7489 §6.6.3", "p= missing but a valid rua: treated as p=none",
     {"_dmarc.example.com": ["v=DMARC1; rua=mailto:d@example.com"]}, "example.com", "found", "none", False),
    ("RFC 7489 §6.6.3", "p= bogus but a valid rua: treated as p=none",
     {"_dmarc.example.com": ["v=DMARC1; p=bogus; rua=mailto:d@example.com"]}, "example.com", "found", "none", False),
    ("RFC 7489 §6.6.3", "p= bogus and no rua: no DMARC processing",
     {"_dmarc.example.com": ["v=DMARC1; p=bogus"], "_dmarc.com": ["v=DMARC1; p=reject"]}, "example.com", "invalid",
     None, False),
    ("RFC 7489 §6.6.3", "sp= bogus and no rua at the organizational domain: no DMARC processing",
     {"_dmarc.example.com": ["v=DMARC1; p=reject; sp=maybe"]}, "mail.example.com", "invalid", None, False),
    ("RFC 7489 §6.6.3", "an invalid record at the subdomain does not fall through",
     {"_dmarc.mail.example.com": ["v=DMARC1; p=nonsense"], "_dmarc.example.com": ["v=DMARC1; p=reject"]},
     "mail.example.com", "invalid", None, False),
]


@pytest.mark.parametrize("source,case,records,domain,outcome,policy,at_org", DISCOVERY,
                         ids=[f"{c[0].split()[-1]}::{c[1]}" for c in DISCOVERY])
def test_policy_discovery(served, source, case, records, domain, outcome, policy, at_org):
    _zone(records, served[0])
    found = discover(domain, Resolver(served[1], 2))
    assert found.outcome == outcome
    assert (found.policy.policy if found.policy else None) == policy
    assert (found.policy.at_org if found.policy else False) == at_org


def test_dns_server_errors_are_temporary_not_no_record():
    # MAILAUTH_RECORD "Should throw on DNS server errors" and MAILAUTH_VERIFY "Should return temperror on
    # DNS failure".
    zone = _zone({})
    zone.misbehave("_dmarc.example.com", "servfail")
    with dns_server(zone) as address:
        with pytest.raises(DnsUnavailable):
            discover("example.com", Resolver(address, 2))
        result, findings = check_dmarc("example.com", [], "none", None, Resolver(address, 2))
    assert result.result == "temperror" and [f.code for f in findings] == ["dmarc.dns_unavailable"]
    assert findings[0].message("en") and findings[0].message("ja")


def test_no_dmarc_null_lookup_for_a_single_label():
    # MAILAUTH_RECORD "Should not query "_dmarc.null" when no org domain can be derived".
    zone = _zone({})
    with dns_server(zone) as address:
        assert discover("localhost", Resolver(address, 2)).outcome == "none"
    assert zone.queries == ["TXT _dmarc.localhost"]


# (case name, DMARC record at example.com or the given name, From domain, DKIM d=, SPF domain, result)
ALIGNMENT = [
    ("Should return pass when DKIM aligns", {}, "example.com", "example.com", None, "none-aligned"),
    ("Should fail strict DKIM alignment when only the org domain matches (adkim=s)",
     {"_dmarc.example.com": ["v=DMARC1; p=reject; adkim=s"]}, "mail.example.com", "example.com", None, "fail"),
    ("Should pass strict DKIM alignment when the signing domain is identical (adkim=s)",
     {"_dmarc.example.com": ["v=DMARC1; p=reject; adkim=s"]}, "example.com", "example.com", None, "pass"),
    ("Should pass strict DKIM alignment when the signing domain matches a subdomain author (adkim=s)",
     {"_dmarc.mail.example.com": ["v=DMARC1; p=reject; adkim=s"]}, "mail.example.com", "mail.example.com", None,
     "pass"),
    ("Should fail strict DKIM alignment for different org domain",
     {"_dmarc.example.com": ["v=DMARC1; p=reject; adkim=s"]}, "example.com", "other.com", None, "fail"),
    ("Should use relaxed DKIM alignment by default",
     {"_dmarc.example.com": ["v=DMARC1; p=reject"]}, "mail.example.com", "example.com", None, "pass"),
    ("Should fail strict SPF alignment when only the org domain matches (aspf=s)",
     {"_dmarc.example.com": ["v=DMARC1; p=reject; aspf=s"]}, "mail.example.com", None, "example.com", "fail"),
    ("Should pass strict SPF alignment when the SPF domain is identical (aspf=s)",
     {"_dmarc.example.com": ["v=DMARC1; p=reject; aspf=s"]}, "example.com", None, "example.com", "pass"),
    ("Should pass when SPF aligns relaxed even though DKIM strict fails (adkim=s; aspf=r)",
     {"_dmarc.example.com": ["v=DMARC1; p=reject; adkim=s; aspf=r"]}, "mail.example.com", "example.com",
     "example.com", "pass"),
    ("Should handle IDN domains", {"_dmarc.xn--e1afmkfd.xn--p1ai": ["v=DMARC1; p=reject"]},
     "xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai", None, "pass"),
    # cardguard's own variant of the IDN case: the From domain as a reader sees it, the d= as DNS has it.
    ("Should handle IDN domains (From in Unicode)", {"_dmarc.xn--e1afmkfd.xn--p1ai": ["v=DMARC1; p=reject"]},
     "пример.рф", "xn--e1afmkfd.xn--p1ai", None, "pass"),
]


@pytest.mark.parametrize("case,records,from_domain,dkim_domain,spf_domain,expected", ALIGNMENT,
                         ids=[c[0] for c in ALIGNMENT])
def test_alignment(served, case, records, from_domain, dkim_domain, spf_domain, expected):
    # Source: MAILAUTH_VERIFY, the case named.
    dkim = [DkimResult(dkim_domain, "s", "pass", "dkim.pass")] if dkim_domain else []
    _zone(records, served[0])
    result, findings = check_dmarc(from_domain, dkim, "pass" if spf_domain else "none", spf_domain,
                                   Resolver(served[1], 2))
    got = "none-aligned" if result.result == "none" and result.aligned else result.result
    assert got == expected
    assert all(f.message("ja") and f.message("en") for f in findings)


# publicsuffix/list tests/test_psl.txt: checkPublicSuffix(input, registrable domain or null).
PSL = [
    ("Mixed case.", "COM", None), ("Mixed case.", "example.COM", "example.com"),
    ("Mixed case.", "WwW.example.COM", "example.com"),
    ("Leading dot.", ".com", None), ("Leading dot.", ".example", None), ("Leading dot.", ".example.com", None),
    ("Leading dot.", ".example.example", None),
    ("Unlisted TLD.", "example", None), ("Unlisted TLD.", "example.example", "example.example"),
    ("Unlisted TLD.", "b.example.example", "example.example"), ("Unlisted TLD.", "a.b.example.example", "example.example"),
    ("TLD with only 1 rule.", "biz", None), ("TLD with only 1 rule.", "domain.biz", "domain.biz"),
    ("TLD with only 1 rule.", "a.b.domain.biz", "domain.biz"),
    ("TLD with some 2-level rules.", "uk.com", None), ("TLD with some 2-level rules.", "example.uk.com", "example.uk.com"),
    ("TLD with some 2-level rules.", "a.b.example.uk.com", "example.uk.com"),
    ("TLD with some 2-level rules.", "test.ac", "test.ac"),
    ("TLD with only 1 (wildcard) rule.", "mm", None), ("TLD with only 1 (wildcard) rule.", "c.mm", None),
    ("TLD with only 1 (wildcard) rule.", "b.c.mm", "b.c.mm"), ("TLD with only 1 (wildcard) rule.", "a.b.c.mm", "b.c.mm"),
    ("More complex TLD.", "jp", None), ("More complex TLD.", "www.test.jp", "test.jp"),
    ("More complex TLD.", "ac.jp", None), ("More complex TLD.", "www.test.ac.jp", "test.ac.jp"),
    ("More complex TLD.", "kyoto.jp", None), ("More complex TLD.", "ide.kyoto.jp", None),
    ("More complex TLD.", "a.b.ide.kyoto.jp", "b.ide.kyoto.jp"), ("More complex TLD.", "c.kobe.jp", None),
    ("More complex TLD.", "a.b.c.kobe.jp", "b.c.kobe.jp"), ("More complex TLD.", "city.kobe.jp", "city.kobe.jp"),
    ("More complex TLD.", "www.city.kobe.jp", "city.kobe.jp"),
    ("TLD with a wildcard rule and exceptions.", "ck", None), ("TLD with a wildcard rule and exceptions.", "test.ck", None),
    ("TLD with a wildcard rule and exceptions.", "b.test.ck", "b.test.ck"),
    ("TLD with a wildcard rule and exceptions.", "www.ck", "www.ck"),
    ("TLD with a wildcard rule and exceptions.", "www.www.ck", "www.ck"),
    ("US K12.", "k12.ak.us", None), ("US K12.", "www.test.k12.ak.us", "test.k12.ak.us"),
    ("IDN labels.", "食狮.com.cn", "食狮.com.cn"), ("IDN labels.", "www.食狮.公司.cn", "食狮.公司.cn"),
    ("IDN labels.", "公司.cn", None), ("IDN labels.", "www.食狮.中国", "食狮.中国"), ("IDN labels.", "中国", None),
    ("Same as above, but punycoded.", "www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("Same as above, but punycoded.", "xn--55qx5d.cn", None),
    ("Same as above, but punycoded.", "www.xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"),
    ("Same as above, but punycoded.", "xn--fiqs8s", None),
]


@pytest.mark.parametrize("section,host,expected", PSL, ids=[f"{c[0]} {c[1]}" for c in PSL])
def test_public_suffix_list(section, host, expected):
    assert organizational_domain(host) == expected


@pytest.fixture(scope="module")
def arc_dns():
    zone = HostileZone()
    zone.add_txt("dummy._domainkey.example.org", arc_suite_cases.KEY)
    with dns_server(zone) as address:
        yield address


@pytest.mark.parametrize("case", sorted(arc_suite_cases.CASES))
def test_arc_validation_suite(arc_dns, case):
    # ValiMail/arc_test_suite tests/arc-draft-validation-tests.yml, the case named.
    expected, text = arc_suite_cases.CASES[case]
    raw = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    result, findings = check_arc(raw, Resolver(arc_dns, 2))
    assert result == expected.lower()
    for found in findings:
        message = found.message("en")
        assert "None" not in message and found.message("ja")
        if result == "fail":
            assert message.split(": ", 1)[1].strip()
