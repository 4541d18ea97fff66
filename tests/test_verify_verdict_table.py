"""The verdict rules, read as a table and pinned row by row.

For each row: a case that meets it gets its verdict, and taking away any one fact it needs (or all
of its alternative findings) changes that verdict. Then the facts `facts_of()` derives from a real
message are checked one by one, since the table is only as good as what feeds it.
"""

from __future__ import annotations

import pytest
from mailkit import message

from cardguard.directory import load_directory
from cardguard.values import replace
from cardguard.verify.check import (
    GENUINE_EVIDENCE,
    GENUINE_REQUIRES,
    LINKS_UNREAD,
    NOT_GENUINE,
    PHISHING_ROWS,
    facts_of,
    verdict_for,
)
from cardguard.verify.message import read_mail
from cardguard.verify.model import (
    Authentication,
    DkimResult,
    DmarcResult,
    LinkInfo,
    finding,
)

AMEX = load_directory(with_user_files=False).issuer("amex-jp")


def facts(*names: str) -> dict[str, frozenset[str]]:
    """Facts as `facts_of` gives them: a finding code shows itself; a derived fact (no dot) is shown
    by no finding here (`facts_of`'s own evidence is tested further down)."""
    return {name: frozenset({name}) if "." in name else frozenset() for name in names}


def findings_in(names) -> set[str]:
    return {name for name in names if "." in name}


GENUINE_FACTS = ("claims_issuer", "sender_official", "sender_authenticated", "links_confirmed", "unambiguous",
                 "dmarc.pass", "from.official", "link.official")


def row_cases():
    for index, row in enumerate(PHISHING_ROWS):
        alternatives = sorted(row.any_of) or [None]
        for alternative in alternatives:
            yield pytest.param(index, alternative, id=f"row{index}-{alternative or 'needs-only'}")


@pytest.mark.parametrize("index, alternative", list(row_cases()))
def test_each_phishing_row_makes_phishing_and_each_of_its_facts_matters(index, alternative):
    row = PHISHING_ROWS[index]
    met = set(row.needs) | ({alternative} if alternative else set())
    # The row alone is phishing, and so is a mail otherwise genuine in every way that meets it.
    assert verdict_for(facts(*met))[0] == "phishing", row.why
    verdict, decisive = verdict_for(facts(*GENUINE_FACTS, *met))
    assert verdict == "phishing" and decisive == findings_in(met), row.why
    for fact in met:
        assert verdict_for(facts(*(met - {fact})))[0] != "phishing", f"{row.why}: still phishing without {fact}"


def test_phishing_rows_apply_whoever_is_claimed_only_where_they_say_so():
    for row in PHISHING_ROWS:
        alternative = {sorted(row.any_of)[0]} if row.any_of else set()
        met = set(row.needs) | alternative
        verdict, _ = verdict_for(facts(*met))
        assert verdict == "phishing"
        if "claims_issuer" not in row.needs:
            # A row without a claim also catches mail that names no issuer at all.
            assert verdict_for(facts(*(met - {"claims_issuer"})))[0] == "phishing"


def test_the_genuine_row_needs_every_requirement():
    verdict, decisive = verdict_for(facts(*GENUINE_FACTS))
    assert verdict == "genuine"
    assert decisive == {"dmarc.pass", "from.official", "link.official"}
    for name, requirement in GENUINE_REQUIRES.items():
        verdict, decisive = verdict_for(facts(*(set(GENUINE_FACTS) - {name})))
        assert verdict == "suspicious", name
        assert requirement.said_as in decisive
        for reason in requirement.because:
            # Each listed reason is named when present.
            with_reason = verdict_for(facts(*(set(GENUINE_FACTS) - {name}), reason))
            assert with_reason[0] == "suspicious" and reason in with_reason[1]


@pytest.mark.parametrize("code", sorted(NOT_GENUINE))
def test_findings_that_keep_a_mail_from_genuine(code):
    verdict, decisive = verdict_for(facts(*GENUINE_FACTS, code))
    assert verdict == "suspicious" and code in decisive
    assert verdict_for(facts(*GENUINE_FACTS))[0] == "genuine"


def test_without_a_claim_a_mail_is_unrelated_and_never_genuine():
    assert verdict_for(facts(*(set(GENUINE_FACTS) - {"claims_issuer"}))) == ("unrelated", set())
    assert verdict_for({}) == ("unrelated", set())


def test_genuine_evidence_is_only_what_is_present():
    present = {"dmarc.pass", "recipient.alias_match"}
    verdict, decisive = verdict_for(facts(*GENUINE_FACTS, *present))
    assert verdict == "genuine" and decisive == (present | {"from.official", "link.official"}) & GENUINE_EVIDENCE


def test_every_matching_phishing_row_is_a_reason():
    verdict, decisive = verdict_for(facts("claims_issuer", "link.lookalike", "attachment.dangerous", "from.foreign"))
    assert verdict == "phishing" and decisive == {"link.lookalike", "attachment.dangerous", "from.foreign"}


# --- the facts facts_of() derives from a real message -----------------------------------------------


def decide(*given):
    """The verdict check_message reaches from these facts."""
    return verdict_for(facts_of(*given))


MAIL = read_mail(message())
PASS = Authentication(mode="dns", dmarc=DmarcResult("pass", "reject", True, "welcome.americanexpress.com"),
                      authenticated_domain="welcome.americanexpress.com")
OFFICIAL = LinkInfo("https://www.americanexpress.com/jp/", None, "www.americanexpress.com", "americanexpress.com", True)
GOOD_FINDINGS = [finding("issuer.claimed", "info"), finding("from.official", "info"), finding("dmarc.pass", "good"),
                 finding("link.official", "good")]


def test_a_genuine_mail_s_facts():
    assert decide(AMEX, MAIL, PASS, GOOD_FINDINGS, [OFFICIAL], False)[0] == "genuine"
    got = facts_of(AMEX, MAIL, PASS, GOOD_FINDINGS, [OFFICIAL], False)
    assert {"claims_issuer", "sender_official", "sender_authenticated", "links_confirmed", "unambiguous",
            "has_link"} <= got.keys()
    assert "link_not_official" not in got and "auth_forged" not in got and "asks_card_data" not in got
    assert got["sender_authenticated"] == {"dmarc.pass"} and got["links_confirmed"] == {"link.official"}
    assert decide(None, MAIL, PASS, GOOD_FINDINGS, [OFFICIAL], False)[0] == "unrelated"


def test_authentication_must_be_of_an_official_sending_domain_of_the_claimed_issuer():
    elsewhere = replace(PASS, authenticated_domain="americanexpress-safekey.com")
    assert decide(AMEX, MAIL, elsewhere, GOOD_FINDINGS, [OFFICIAL], False)[0] == "suspicious"
    assert decide(AMEX, MAIL, replace(PASS, authenticated_domain=None), GOOD_FINDINGS, [OFFICIAL], False) == \
        ("suspicious", {"auth.not_authenticated"})


def test_a_sender_outside_the_issuer_is_not_official():
    other = replace(MAIL, from_domain="mail.example.com")
    assert "sender_official" not in facts_of(AMEX, other, PASS, GOOD_FINDINGS, [OFFICIAL], False)
    assert "sender_official" in facts_of(AMEX, MAIL, PASS, GOOD_FINDINGS, [OFFICIAL], False)


@pytest.mark.parametrize("link, why", [
    (replace(OFFICIAL, official=False, host="evil.example", registered_domain="evil.example"), "link.foreign"),
    (replace(OFFICIAL, resolved=False), "link.unresolved"),
])
def test_links_must_be_resolved_and_official(link, why):
    findings = GOOD_FINDINGS + [finding(why, "warn")]
    verdict, decisive = decide(AMEX, MAIL, PASS, findings, [OFFICIAL, link], False)
    assert verdict == "suspicious" and {why, "link.not_confirmed"} <= decisive
    assert decide(AMEX, MAIL, PASS, GOOD_FINDINGS, [OFFICIAL], False)[0] == "genuine"
    assert decide(AMEX, MAIL, PASS, GOOD_FINDINGS, [], False)[0] == "genuine"  # no link: nothing to confirm


def test_card_data_asked_next_to_a_link_off_the_issuer():
    foreign = replace(OFFICIAL, official=False, host="evil.example", registered_domain="evil.example")
    asking = GOOD_FINDINGS + [finding("content.asks_card_number", "warn"), finding("link.foreign", "warn")]
    assert decide(AMEX, MAIL, PASS, asking, [foreign], False)[0] == "phishing"
    assert decide(AMEX, MAIL, PASS, asking, [OFFICIAL], False)[0] != "phishing"
    for code in ("content.asks_security_code", "content.asks_pin", "content.asks_password", "content.asks_personal"):
        asks = GOOD_FINDINGS + [finding(code, "warn")]
        assert decide(AMEX, MAIL, PASS, asks, [foreign], False) [0] == "phishing", code
    # With no claimed issuer, any link is off the issuer's domains.
    assert decide(None, MAIL, PASS, asking, [foreign], False)[0] == "phishing"
    assert decide(None, MAIL, PASS, asking, [], False)[0] == "unrelated"


def test_a_domain_that_cannot_exist_needs_a_link_to_be_phishing():
    no_tld = [finding("from.no_tld", "warn")]
    assert decide(None, MAIL, PASS, no_tld, [OFFICIAL], False)[0] == "phishing"
    assert decide(None, MAIL, PASS, no_tld, [], False)[0] == "unrelated"


def failing(*reasons: str) -> Authentication:
    return Authentication(mode="dns", dkim=tuple(DkimResult("welcome.americanexpress.com", "s1", "fail", r)
                                                for r in reasons),
                          dmarc=DmarcResult("fail", "reject", False, "americanexpress.com"))


def test_live_dmarc_failure_of_the_issuer_s_own_domain():
    findings = [finding("issuer.claimed", "info"), finding("from.official", "info"), finding("dmarc.fail", "bad")]
    verdict, decisive = decide(AMEX, MAIL, failing("dkim.body_changed"), findings, [], False)
    assert verdict == "phishing" and decisive >= {"dmarc.fail", "dkim.body_changed"}
    assert decide(AMEX, MAIL, failing(), findings, [], False)[0] == "phishing"  # no signature at all
    # Only unverifiable (key gone, DNS silent): not a forgery, only not authenticated.
    assert decide(AMEX, MAIL, failing("dkim.key_missing"), findings, [], False)[0] == "suspicious"
    assert decide(AMEX, MAIL, failing("dkim.dns_unavailable", "dkim.key_missing"), findings, [], False)[0] == \
        "suspicious"
    # Offline the live rule does not apply; a sender outside the issuer is judged by its own rows.
    assert decide(AMEX, MAIL, failing("dkim.body_changed"), findings, [], True)[0] == "suspicious"
    assert "auth_forged" not in facts_of(AMEX, replace(MAIL, from_domain="mail.example.com"),
                                         failing("dkim.body_changed"), findings, [], False)
    authenticated = replace(failing("dkim.body_changed"), authenticated_domain="welcome.americanexpress.com")
    assert "auth_forged" not in facts_of(AMEX, MAIL, authenticated, findings, [], False)
    passing = replace(failing("dkim.body_changed"), dmarc=DmarcResult("none", None, False, "americanexpress.com"))
    assert "auth_forged" not in facts_of(AMEX, MAIL, passing, findings, [], False)


def test_the_trusted_receiver_s_failure_for_the_issuer_s_own_domain():
    findings = [finding("issuer.claimed", "info"), finding("authres.trusted_fail", "bad")]
    assert decide(AMEX, MAIL, PASS, findings, [], True)[0] == "phishing"
    elsewhere = replace(MAIL, from_domain="mail.example.com")
    assert decide(AMEX, elsewhere, PASS, findings, [], True)[0] != "phishing"


def test_ambiguity_is_read_from_its_finding():
    ambiguous = GOOD_FINDINGS + [finding("message.ambiguous", "warn")]
    assert decide(AMEX, MAIL, PASS, ambiguous, [OFFICIAL], False) == ("suspicious", {"message.ambiguous"})


# --- the reasons each derived fact carries into the verdict ---------------------------------------

@pytest.mark.parametrize("evidence", ["dmarc.pass", "dmarc.no_policy_aligned", "authres.trusted_pass"])
def test_a_genuine_verdict_names_what_authenticated_it(evidence):
    findings = [finding("issuer.claimed", "info"), finding(evidence, "good"), finding("link.official", "good"),
                finding("recipient.alias_match", "good"), finding("content.otp", "info")]
    verdict, decisive = decide(AMEX, MAIL, PASS, findings, [OFFICIAL], False)
    assert (verdict, decisive) == ("genuine", {evidence, "link.official", "recipient.alias_match"})
    got = facts_of(AMEX, MAIL, PASS, findings, [OFFICIAL], False)
    assert got["sender_authenticated"] == {evidence} and got["links_confirmed"] == {"link.official"}
    assert got["claims_issuer"] == frozenset() and got["sender_official"] == frozenset()
    assert got["unambiguous"] == frozenset() and got["has_link"] == frozenset()


@pytest.mark.parametrize("why", ["link.foreign", "link.unresolved", "link.shortener", "link.redirector"])
def test_card_data_next_to_a_link_names_why_the_link_is_not_the_issuer_s(why):
    foreign = replace(OFFICIAL, official=False, host="evil.example", registered_domain="evil.example")
    findings = [finding("issuer.claimed", "info"), finding("dmarc.pass", "good"),
                finding("content.asks_pin", "warn"), finding(why, "warn"), finding("content.urgency", "warn")]
    verdict, decisive = decide(AMEX, MAIL, PASS, findings, [foreign], False)
    assert (verdict, decisive) == ("phishing", {"content.asks_pin", why})
    # Without the card-data request, the same link only keeps it from genuine, and says why.
    rest = [f for f in findings if f.code != "content.asks_pin"]
    assert decide(AMEX, MAIL, PASS, rest, [foreign], False) == ("suspicious", {why, "link.not_confirmed"})


def test_a_live_forgery_names_the_failing_signatures_only():
    findings = [finding("issuer.claimed", "info"), finding("from.official", "info"), finding("dmarc.fail", "bad")]
    auth = replace(failing("dkim.body_changed", "dkim.signature_mismatch"),
                   dkim=failing("dkim.body_changed").dkim + (DkimResult("esp.example", "s", "pass", "dkim.pass"),))
    verdict, decisive = decide(AMEX, MAIL, auth, findings, [], False)
    assert (verdict, decisive) == ("phishing", {"dmarc.fail", "dkim.body_changed"})
    got = facts_of(AMEX, MAIL, auth, findings, [], False)
    assert got["auth_forged"] == {"dmarc.fail", "dkim.body_changed"}


def test_an_unauthenticated_claim_names_what_is_missing():
    findings = [finding("issuer.claimed", "info"), finding("auth.offline", "warn"), finding("dkim.none", "warn"),
                finding("content.urgency", "warn")]
    verdict, decisive = decide(AMEX, MAIL, replace(PASS, authenticated_domain=None), findings, [], True)
    assert (verdict, decisive) == ("suspicious", {"auth.not_authenticated", "auth.offline", "dkim.none"})


def test_every_missing_requirement_is_named():
    missing = set(GENUINE_REQUIRES)
    verdict, decisive = verdict_for(facts(*(set(GENUINE_FACTS) - missing), "recipient.other_address"))
    assert verdict == "suspicious"
    assert decisive == {r.said_as for r in GENUINE_REQUIRES.values()} | {"recipient.other_address"}


@pytest.mark.parametrize("unread", sorted(LINKS_UNREAD))
def test_a_part_left_unread_keeps_every_link_from_confirmed(unread):
    # Every link read is official, but a budget ran out or a part could not be decoded: a link may be there.
    findings = GOOD_FINDINGS + [finding(unread, "warn")]
    assert decide(AMEX, MAIL, PASS, findings, [OFFICIAL], False) == ("suspicious", {unread, "link.not_confirmed"})
    assert decide(AMEX, MAIL, PASS, findings, [], False) == ("suspicious", {unread, "link.not_confirmed"})


def test_a_phone_link_dialling_another_number_than_it_shows_is_phishing():
    findings = GOOD_FINDINGS + [finding("link.tel_mismatch", "bad")]
    assert decide(AMEX, MAIL, PASS, findings, [OFFICIAL], False) == ("phishing", {"link.tel_mismatch"})
    assert decide(None, MAIL, PASS, findings, [], False)[0] == "phishing"
