"""What the authentication findings mean for the verdict, in one place for facts_of().

AUTH_FORGED: evidence that somebody forged authentication; with an issuer claimed, the mail is
phishing. AUTH_NOT_ESTABLISHED: authentication could not be positively established; the mail is at
most suspicious, with this as the reason (authenticated_domain is then None as well).
"""

from __future__ import annotations

AUTH_FORGED = frozenset({
    "authres.tampered_duplicate",  # a second Authentication-Results with the trusted receiver's id
    "authres.tampered_below",  # the trusted receiver's id on a header below the receiver's own block
})

AUTH_NOT_ESTABLISHED = frozenset({
    "auth.from_ambiguous",  # a From line with several addresses: which one the reader sees is a guess
    "auth.offline", "auth.out_of_time", "auth.too_many_lookups", "auth.dns_unreachable",
    "authres.tampered_unreadable", "authres.tampered_unplaced", "authres.trusted_refuted", "authres.trusted_none",
    "dmarc.fail", "dmarc.no_policy", "dmarc.dns_unavailable", "dmarc.invalid_domain", "dmarc.multiple_records",
    "dmarc.policy_invalid", "dmarc.unverifiable",
    "dkim.none", "dkim.key_missing", "dkim.dns_unavailable", "dkim.from_unsigned", "dkim.sha1_refused",
    "dkim.key_too_large", "dkim.key_too_short", "dkim.body_extended", "dkim.unsigned_header",
    "dkim.headers_uncovered", "dkim.key_testing", "dkim.too_many",
    "message.outlook", "message.outlook_no_headers",
})

# DKIM results that say the signature could not be verified, not that it is wrong: never forgery.
UNVERIFIABLE_DKIM = frozenset({"dkim.key_missing", "dkim.dns_unavailable", "dkim.key_too_large", "dkim.key_testing",
                               "dkim.sha1_refused", "dkim.headers_uncovered", "dkim.not_tried"})

# Enough for DKIM (5 signatures), ARC, DMARC at two levels and SPF's own RFC 7208 limit of 10
# DNS-querying terms (each of which may need a second query), with room to spare.
MAX_LOOKUPS_PER_MAIL = 40
