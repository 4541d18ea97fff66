"""Every web route over HTTP, with and without a valid CSRF token, with mutated forms, ids and uploads:
never a 500 (issue 12). CI-sized here; `python3 tasks.py bench webfuzz N` runs the same property deeper."""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

import webfuzz
from cardguard.web.app import create_app


def seeded_client() -> TestClient:
    """An app with a card, a service, a reissue checklist and an incident, so ids can hit real rows."""
    client = TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=True)
    token = webfuzz.csrf_of(client)
    client.post("/cards", data={"csrf": token, "nickname": "ゴールド", "last4": "1005", "product": "amex-gold",
                                "alias_email": "amex.7f3k@icloud.com"})
    client.post("/services", data={"csrf": token, "name": "Netflix", "card": "1005",
                                   "payment_url": "https://www.netflix.com/"})
    client.post("/reissue", data={"csrf": token, "card": "#1", "last4": "2007"})
    client.post("/incidents", data={"csrf": token, "kind": "unknown-code", "card": "#1"})
    return client


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(request=webfuzz.requests())
def test_no_request_makes_the_web_app_answer_500(profile, request):
    # One seeded app per profile (hypothesis runs every example inside the one test call).
    if str(profile) not in CLIENTS:
        client = seeded_client()
        CLIENTS[str(profile)] = (client, webfuzz.csrf_of(client))
    client, token = CLIENTS[str(profile)]
    webfuzz.run(client, request, token)


CLIENTS: dict[str, tuple] = {}
