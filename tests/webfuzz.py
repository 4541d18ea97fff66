"""Fuzzing every web route over HTTP: the strategies and the one property, shared by the CI test
(tests/test_web_fuzz.py) and the deeper run (benchmarks/web_fuzz.py).

A crash is an HTTP 500 (or anything >= 500), a response that is not HTML/text where a page is due, or
an exception escaping the app. The app is the real one over Starlette's TestClient, with a real store.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from hypothesis import strategies as st

from mailkit import message

IDS = st.one_of(st.integers(-5, 5).map(str), st.just("99999999999999999999"), st.just("1e3"), st.just("0x1"),
                st.text(min_size=0, max_size=12).filter(lambda s: "/" not in s and "?" not in s and "#" not in s))
TEXT = st.one_of(st.text(max_size=80), st.sampled_from(["4242 4242 4242 4242", "13/29", "NaN", "#1", "1005",
                                                        "＃１", "\x00", "-1", "9" * 5000, "a" * 300, "😀", ""]))
FIELD_NAMES = ["nickname", "last4", "product", "expiry", "alias_email", "back_number", "name", "card", "amount",
               "currency", "next_charge", "billing_cycle", "holds_card_as", "payment_url", "status", "kind", "verdict",
               "call", "answered_by", "reference", "agreed", "note", "summary", "skip", "source", "offline",
               "passphrase", "skip_bad_rows"]
POSTS = ["/cards", "/services", "/services/import", "/reissue", "/checklist/items/{id}", "/incidents",
         "/incidents/{id}/steps/{step}", "/incidents/{id}/log", "/incidents/{id}/close", "/check", "/login",
         "/nope/{id}"]
GETS = ["/", "/check", "/call", "/cards", "/incidents", "/incidents/{id}", "/incidents/{id}/report.{fmt}",
        "/services/export.csv", "/check/preview/{id}", "/login", "/certificate", "/static/{id}", "/{id}"]
UPLOADS = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda s, b: message(subject=s, body=b), st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=60), st.text(max_size=400)),
    st.builds(lambda rows: ("name,amount,next_charge,card\n" + "\n".join(",".join(r) for r in rows)).encode(),
              st.lists(st.lists(TEXT.map(lambda v: v.replace(",", " ").replace("\n", " ")), min_size=4, max_size=4),
                       max_size=5)),
    st.builds(lambda s: s.encode("utf-8", "surrogatepass"), st.text(max_size=400)),
)
TOKENS = st.sampled_from(["valid", "missing", "wrong", "non-ascii", "header"])


@st.composite
def requests(draw):
    if draw(st.booleans()):
        path = draw(st.sampled_from(GETS))
        method = "GET"
    else:
        path = draw(st.sampled_from(POSTS))
        method = "POST"
    path = path.format(id=quote(draw(IDS), safe=""), step=draw(st.sampled_from(["call-fraud", "dont-click", "x", ""])),
                       fmt=draw(st.sampled_from(["html", "md", "pdf", ""])))
    query = draw(st.dictionaries(st.sampled_from(["card", "purpose", "country", "lang", "kind"]), TEXT, max_size=3))
    fields = draw(st.dictionaries(st.sampled_from(FIELD_NAMES), TEXT, max_size=6))
    upload = draw(st.one_of(st.none(), UPLOADS))
    token = draw(TOKENS)
    htmx = draw(st.booleans())
    return method, path, query, fields, upload, token, htmx


def csrf_of(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/cards").text).group(1)


def run(client, request, token_value: str) -> int:
    """Send one fuzzed request; return its status after checking the property (raises on a crash)."""
    method, path, query, fields, upload, token, htmx = request
    headers = {"accept-language": "ja"}
    if htmx:
        headers |= {"hx-request": "true", "hx-target": "result"}
    data = dict(fields)
    if method == "POST":
        if path == "/check":
            data["offline"] = "1"  # CI has no DNS; the live path is fuzzed against the test DNS server elsewhere
        if token == "valid":
            data["csrf"] = token_value
        elif token == "wrong":
            data["csrf"] = "x" + token_value
        elif token == "non-ascii":
            data["csrf"] = "トークン" + token_value
        elif token == "header":
            headers["x-csrf-token"] = token_value
        files = {"file": ("f.eml", upload, "application/octet-stream")} if upload is not None else None
        response = client.post(path, params=query, data=data, files=files, headers=headers, follow_redirects=False)
    else:
        response = client.get(path, params=query, headers=headers, follow_redirects=False)
    assert response.status_code < 500, (request, response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("text/html"), (request, response.headers)
    return response.status_code
