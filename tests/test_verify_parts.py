"""A mail's parts are read fast exactly as the standard parser reads them, or left to it.

`verify.parts.read` cuts a well-formed mail at its boundary lines by position; the check then sees
the same tree of parts the standard parser (`email.message_from_bytes`) builds. These tests compare
the two trees whole (headers as stored, payloads, preambles, epilogues, defects, default types) and
what each spent of the mail's read budget, on every mail of the phishing corpus and on generated
mails: well-formed ones, which must be read fast, and the same with lines added, dropped, doubled or
changed, which must be read alike or left to the standard parser."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardguard.verify import parts
from cardguard.verify.message import _READ_POLICY, ReadBudget, read_mail
from corpus_pin import corpus_folder


def tree(msg) -> tuple:
    payload = msg._payload
    return (type(msg).__name__, list(msg._headers), msg._unixfrom,
            [tree(child) for child in payload] if isinstance(payload, list) else payload,
            msg.preamble, msg.epilogue, [type(defect).__name__ for defect in msg.defects],
            msg._default_type, msg._charset)


def spent(budget: ReadBudget) -> tuple:
    return budget.header_bytes, sorted(budget.charged), sorted(budget.refused), sorted(budget.unreadable)


def both_readings(data: bytes, header_bytes: int | None = None):
    """(the standard parser's tree and spending, the fast reading's or None if it left the mail)."""
    standard, fast = ReadBudget(), ReadBudget()
    if header_bytes is not None:
        standard.header_bytes = fast.header_bytes = header_bytes
    # Each reading parses its headers afresh (the parses are kept process-wide): one could otherwise
    # be handed the other's, and a difference in how they parse would not show.
    _forget_parsed_headers()
    read = parts.read(data, _READ_POLICY.clone(budget=fast))
    _forget_parsed_headers()
    try:
        expected = tree(email.message_from_bytes(data, policy=_READ_POLICY.clone(budget=standard)))
    except RecursionError:
        expected = "too deep"
    return (expected, spent(standard)), (None if read is None else (tree(read), spent(fast)))


def _forget_parsed_headers() -> None:
    from cardguard.verify import message

    message._PARSED.clear()
    message._PARSED_LONG.clear()


def test_every_corpus_mail_is_read_as_the_standard_parser_reads_it():
    folder = corpus_folder()
    if folder is None or not folder.is_dir():
        pytest.fail("the phishing corpus was not found (shared/corpus/phishing above the checkout, or CARDGUARD_CORPUS)")
    paths = sorted(p for p in folder.iterdir() if p.is_file())
    read_fast = 0
    for path in paths:
        expected, fast = both_readings(path.read_bytes())
        if fast is not None:
            read_fast += 1
            assert fast == expected, path.name
    # Nearly every real mail is of the shape read fast; were none, the comparison above would be empty.
    assert read_fast >= 0.95 * len(paths)


# Generated mails. Boundaries are chosen to be prefixes of one another, to hold a colon or a blank,
# and to end in "--", so that one boundary's line can be another's.
BOUNDARIES = ["b", "bb", "b--", "a:b", "b c", "=_b"]
TYPES = ["multipart/mixed", "multipart/alternative", "multipart/digest", "multipart/related"]
BODY_LINES = ["text", "", "  ", "a: b", "-", "=3D", "\u3042".encode().decode("ascii", "surrogateescape")]


def _one_of_its_lines_ends(boundary: str, enclosing: tuple[str, ...]) -> bool:
    """Whether a boundary line of ``boundary`` (as generated) is also one of an enclosing multipart's."""
    lines = [f"--{boundary}{end}" for end in ("", " ", "\t", "--", "-- ")]
    return any(line.startswith(f"--{outer}") and re.fullmatch(r"(--)?[ \t]*", line[2 + len(outer):])
               for line in lines for outer in enclosing)


@st.composite
def mime_tree(draw, depth: int = 0, enclosing: tuple[str, ...] = (), careful: bool = True):
    """A part as lines: its headers, a blank line, its body (a multipart's parts between its
    boundaries). ``careful``: a nested multipart's boundary lines are never an enclosing one's."""
    headers = draw(st.lists(st.sampled_from(["Subject: hi", "X-Long: a", " continued", "\tfolded",
                                             "Content-Disposition: inline", "X-Empty:",
                                             "Content-Transfer-Encoding: base64"]), max_size=3))
    if headers and headers[0][0] in " \t":
        headers = ["X-First: 1", *headers]
    usable = [b for b in BOUNDARIES if not (careful and _one_of_its_lines_ends(b, enclosing))]
    if depth < 3 and usable and draw(st.integers(0, 2)) < (2 if depth == 0 else 1.5):
        boundary = draw(st.sampled_from(usable))
        kind = draw(st.sampled_from(TYPES))
        quoted = draw(st.booleans()) or (careful and any(c in boundary for c in ":= "))  # else not one parameter
        headers.append(f'Content-Type: {kind}; boundary={chr(34) * quoted}{boundary}{chr(34) * quoted}')
        children = draw(st.lists(mime_tree(depth + 1, (*enclosing, boundary), careful), min_size=1, max_size=3))
        preamble = draw(st.lists(st.sampled_from(BODY_LINES), max_size=2))
        epilogue = draw(st.lists(st.sampled_from(BODY_LINES), max_size=2))
        body = [*preamble]
        for child in children:
            body += [f"--{boundary}{draw(st.sampled_from(['', '', ' ', chr(9)]))}", *child]
        body += [f"--{boundary}--{draw(st.sampled_from(['', '', ' ']))}", *epilogue]
    else:
        leaf = draw(st.sampled_from(["text/plain", "text/html; charset=utf-8", "message/rfc822", ""]))
        if leaf:
            headers.append(f"Content-Type: {leaf}")
        body = draw(st.lists(st.sampled_from(BODY_LINES), max_size=3))
    return [*headers, "", *body]


NOISE = st.sampled_from(["", "--b", "--b--", "--bb", "--b -", "--b--x", "From me", ":no name", " lone",
                         "no colon", "--a:b", "--b c--", "--=_b", "Content-Type: message/rfc822", "--",
                         "Content-Type: text/html; a=" + "(" * 70 + ")" * 70])  # too deep a value to read


@st.composite
def mail(draw, noisy: bool):
    lines = ["From: holder@example.com", *draw(mime_tree(careful=not noisy or draw(st.booleans())))]
    if noisy:
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(0, len(lines)))
            change = draw(st.sampled_from(["insert", "drop", "double"]))
            if change == "insert":
                lines.insert(at, draw(NOISE))
            elif lines and at < len(lines):
                lines[at:at + 1] = [] if change == "drop" else [lines[at]] * 2
    breaks = draw(st.sampled_from(["\n", "\r\n", "mixed", "with a lone CR"] if noisy else ["\n", "\r\n", "mixed"]))
    out = []
    for line in lines:
        if breaks == "mixed":
            out.append(line + draw(st.sampled_from(["\n", "\r\n"])))
        elif breaks == "with a lone CR":
            out.append(line + draw(st.sampled_from(["\n", "\r\n", "\r"])))
        else:
            out.append(line + breaks)
    text = "".join(out)
    if draw(st.booleans()) and not text.endswith(("\n\n", "\n\r\n")):  # the blank line after headers stays
        text = text[:-2] if text.endswith("\r\n") else text[:-1]  # the last line without its line break
    return text.encode("ascii", "surrogateescape")


def _is_plain(data: bytes) -> bool:
    # Messages inside messages and digests' parts are left to the standard parser; a generated body
    # line never looks like a boundary, so everything else is of the shape read fast.
    return b"message/rfc822" not in data and b"multipart/digest" not in data


@settings(max_examples=400, deadline=None)
@given(mail(noisy=False))
def test_well_formed_mails_are_read_fast_and_alike(data):
    expected, fast = both_readings(data)
    if _is_plain(data):
        assert fast is not None
    assert fast is None or fast == expected


@settings(max_examples=1500, deadline=None)
@given(mail(noisy=True), st.sampled_from([None, 0, 40, 120]))
def test_mails_with_stray_lines_are_read_alike_or_left_to_the_standard_parser(data, header_bytes):
    expected, fast = both_readings(data, header_bytes)
    assert fast is None or fast == expected


def test_a_lone_cr_leaves_the_mail_to_the_standard_parser():
    data = b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\r--b--\n"
    assert parts.read(data, _READ_POLICY.clone(budget=ReadBudget())) is None
    assert read_mail(data).text  # and it is still read, by the standard parser


def test_a_nested_multipart_reusing_its_parents_boundary_is_read_as_the_standard_parser_reads_it():
    data = (b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
            b"Content-Type: multipart/alternative; boundary=b\n\n--b\n\ninner\n--b--\n--b--\n")
    expected, fast = both_readings(data)
    assert fast is None or fast == expected


def test_nesting_past_the_limit_is_left_to_the_standard_parser():
    depth = parts.MAX_NESTING + 5
    head = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(depth))
    tail = b"".join(b"\n--b%d--\n" % i for i in reversed(range(depth)))
    data = b"From: a@example.com\n" + head + b"\nbody" + tail
    assert parts.read(data, _READ_POLICY.clone(budget=ReadBudget())) is None
    expected, _ = both_readings(data)
    assert expected != "too deep"  # the standard parser reads this depth; the check then refuses it itself


def _written_by_the_standard_library() -> list[bytes]:
    from email.message import EmailMessage

    mails = []
    for html, attachment, related, cte in [(False, False, False, None), (True, False, False, "8bit"),
                                           (True, True, False, "base64"), (True, True, True, "quoted-printable")]:
        msg = EmailMessage()
        msg["From"] = "American Express <Americanexpress@welcome.americanexpress.com>"
        msg["Subject"] = "ご利用確認"
        msg.set_content("ワンタイムパスワード 123456\n-- \n--\n", cte=cte)
        if html:
            msg.add_alternative("<p>ご利用<a href='https://www.americanexpress.com/'>確認</a></p>", subtype="html")
        if related:
            msg.get_payload()[1].add_related(b"\x89PNG" * 50, maintype="image", subtype="png", cid="<logo>")
        if attachment:
            msg.add_attachment(bytes(range(256)) * 20, maintype="application", subtype="pdf", filename="明細.pdf")
        raw = msg.as_bytes()
        mails += [raw, raw.replace(b"\n", b"\r\n"), raw.rstrip(b"\n")]
    return mails


@pytest.mark.parametrize("data", _written_by_the_standard_library())
def test_mails_written_by_the_standard_library_are_read_fast_and_alike(data):
    expected, fast = both_readings(data)
    assert fast is not None
    assert fast == expected
