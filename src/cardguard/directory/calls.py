"""Whom do I call, for this card, for this purpose, now, from this country?

One function answers it for every front end (the `contacts` command, a verdict's call list, an
incident's call step, the web's call page and home page): the card's issuer and the number printed
on its back, the holder's country and the moment go in; a value comes out that each front end only
words and lays out. The value holds facts and message codes, never sentences in one language.
"""

from __future__ import annotations

import re
from dataclasses import field
from datetime import date, datetime

from cardguard.directory.hours import holiday_calendar, holiday_name
from cardguard.directory.load import Directory, Issuer
from cardguard.directory.lookup import (
    NOT_STATED,
    URGENT,
    ContactLine,
    find_lines,
    own_card_line,
    resolve_card,
    resolve_country,
    resolve_product,
    resolve_purpose,
    same_number_key,
    tel_uri,
)
from cardguard.directory.schema import PURPOSES, OnlineRoute
from cardguard.i18n import Lang, Text, both, t
from cardguard.values import record, replace

# Japan's free-dial prefixes: numbers that answer only calls from inside Japan.
_DOMESTIC_FREE_DIAL = re.compile(r"^(0120|0800)")


@record
class HolderCard:
    """What the holder registered about one card: all a front end needs to ask whom to call."""

    nickname: str | None = None
    issuer: str | None = None  # as the record says it ("amex-jp", "jcb"); None: not recorded
    product: str | None = None
    back_number: str | None = None
    last4: str | None = None

    @classmethod
    def of(cls, record) -> HolderCard:
        """From a registry card (store.models.Card)."""
        return cls(nickname=record.nickname, issuer=record.issuer or None, product=record.product,
                   back_number=record.back_number, last4=record.last4)


@record
class Note:
    """Something the holder must read besides the numbers: a message key and its values (a value
    that is a Text is shown in the reader's language)."""

    code: str
    values: dict = field(default_factory=dict)

    def message(self, lang: Lang) -> str:
        return t(self.code, lang, **{k: v(lang) if isinstance(v, Text) else v for k, v in self.values.items()})


@record
class Call:
    """One number to call, with its state at the moment asked."""

    issuer: str | None
    purpose: str
    card: str | None  # the directory card this row is for; None: every card (or eligible ones)
    card_name: Text | None
    eligible_cards: tuple[str, ...]
    number: str
    tel_uri: str | None  # None for a FAX
    kind: str  # "phone" or "fax"
    toll_free: bool | None
    hours: Text
    hours_stated: bool
    always_open: bool
    emergency_always_open: bool
    open_now: bool | None  # None: the source does not say
    opens_at: datetime | None
    closes_at: datetime | None
    not_covered_today: bool  # the source's hours say nothing about today (年末年始)
    not_covered_before_opening: bool
    not_covered_name: Text | None
    topic: Text | None
    place: Text | None
    countries: tuple[str, ...]
    region: str | None
    note: Text | None
    origin: str  # "directory", "override" (the user's file) or "card" (printed on the holder's card)
    source: str
    source_url: str | None
    as_of: date
    caveats: tuple[Note, ...] = ()
    # The holder's card has this number printed on its back (a line of origin "card", or a line of the
    # directory or the holder's file that the back number is, told once).
    printed_on_card: bool = False
    advice: tuple[str, ...] = ()  # ids of the issuer's advice that goes with this line

    def as_json(self, lang: Lang, at: datetime | None = None) -> dict:  # noqa: ARG002 - the state is already in the value
        from cardguard.directory.render import call_json

        return call_json(self, lang)


@record
class Advice:
    """What to do besides calling (report it to the police; when the new card arrives), said once
    in an answer however many of its lines it goes with."""

    issuer: str | None
    id: str | None  # None: a note a user's file or overrides wrote on one line
    text: Text
    source: str


@record
class CallGroup:
    """Calls with the same number, once, with every card it serves (a verdict, a plan step)."""

    call: Call
    cards: tuple[str, ...]
    card_names: tuple[Text, ...]


@record
class IssuerView:
    id: str
    name: Text
    timezone: str
    local_now: datetime
    holiday: Text | None
    online_routes: tuple[OnlineRoute, ...]


@record
class CallAnswer:
    at: datetime
    purpose: str | None
    country: str | None  # ISO code the holder is in; None: not said (at home)
    abroad: bool
    issuer: str | None  # the directory's issuer; None when unknown or without data (or every issuer)
    issuer_given: str | None  # the issuer as the card's record names it
    card: str | None  # the directory's card id
    card_name: Text | None
    holder_card: str | None  # the holder's nickname for the card
    back_number: str | None
    calls: tuple[Call, ...]
    notes: tuple[Note, ...]
    issuers: tuple[IssuerView, ...]
    advice: tuple[Advice, ...] = ()

    @property
    def first(self) -> Call | None:
        """The number to call first: what a home page shows per card."""
        return self.calls[0] if self.calls else None

    def by_number(self) -> list[CallGroup]:
        """Each number once (the holder's own entries kept apart), with the cards it serves."""
        groups: dict[str, list[Call]] = {}
        for call in self.calls:
            key = same_number_key(call.number)
            key = key if call.origin == "directory" else f"{call.origin}:{key}"
            groups.setdefault(key, []).append(call)
        out = []
        for calls in groups.values():
            # The holder's own line for one card serves that card, as the directory's line it replaced
            # did ("for: every card" sent every holder to it); the number on their card is said apart.
            serving = [c for c in calls if c.card and c.origin in ("directory", "override")]
            cards = tuple(dict.fromkeys(c.card for c in serving))
            names = tuple(dict.fromkeys(c.card_name for c in serving if c.card_name))
            out.append(CallGroup(calls[0], cards, names))
        return out

    def as_json(self, lang: Lang) -> dict:
        from cardguard.directory.render import answer_json

        return answer_json(self, lang)


# ----------------------------------------------------------------------------------------- the core

def whom_to_call(directory: Directory, *, at: datetime, card: HolderCard | None = None, product: str | None = None,
                 issuer: str | None = None, purpose: str | None = None, country: str | None = None) -> CallAnswer:
    """Whom to call, in the order to call them.

    ``card``: the holder's registered card (its issuer, product and back-of-card number decide);
    else ``product``: a card's name as the holder says it ("ANAゴールド"; a name that fits several
    cards is a UserError listing them); else ``issuer``; else every issuer's lines. ``purpose`` and
    ``country`` are as typed (ids or names). ``at`` must carry its offset.
    Raises UserError for a purpose, country or card name that names nothing (or several things).
    """
    if at.tzinfo is None:
        raise ValueError("a moment without a time zone is ambiguous")
    purpose_id = resolve_purpose(purpose) if purpose else None
    if card is not None:
        found = directory.find_issuer(card.issuer)
        if found is None:
            return _without_directory(directory, card, purpose_id, country, at)
        issuers = [found]
        card_id = _product_of(found, card.product)
    elif product:
        found, card_id = resolve_product(directory, product, issuer)
        issuers = [found]
    elif issuer:
        issuers, card_id = [directory.issuer(issuer)], None
    else:
        issuers, card_id = list(directory.issuers.values()), None

    country_code = resolve_country(issuers[0], country) if country else None
    calls: list[Call] = []
    notes: list[Note] = []
    abroad = False
    for each in issuers:
        away = country_code is not None and country_code != each.home_country
        abroad = abroad or away
        calls += _issuer_calls(directory, each, card_id, card, purpose_id, country_code if away else None, at, notes)
    if purpose_id == "overseas" and card_id and not abroad:
        _note_not_eligible(issuers[0], card_id, notes)
    if not calls and not notes:
        notes.append(Note("contacts.none"))
    one = issuers[0] if len(issuers) == 1 else None
    return CallAnswer(
        at=at, purpose=purpose_id, country=country_code, abroad=abroad, issuer=one.id if one else None,
        issuer_given=card.issuer if card else (one.id if one else None), card=card_id,
        card_name=one.cards[card_id].name if one and card_id else None,
        holder_card=card.nickname if card else None, back_number=card.back_number if card else None,
        calls=tuple(calls), notes=_unique(notes), issuers=tuple(_issuer_view(each, at) for each in issuers),
        advice=_advice_for(issuers, calls),
    )


def calls_for_cards(directory: Directory, cards: list[HolderCard], *, at: datetime, purpose: str | None = "fraud",
                    country: str | None = None) -> list[tuple[HolderCard, CallAnswer]]:
    """One answer per registered card (a home page's "your 24-hour number" for each card)."""
    return [(each, whom_to_call(directory, at=at, card=each, purpose=purpose, country=country)) for each in cards]


# ---------------------------------------------------------------------------------------- the parts

def _product_of(issuer: Issuer, product: str | None) -> str | None:
    # The record holds a card id of the directory; an issuer's file may since have renamed it.
    if not product:
        return None
    if product in issuer.cards:
        return product
    from cardguard.errors import UserError

    try:
        return resolve_card(issuer, product)
    except UserError:
        return None


def _unique(notes: list[Note]) -> tuple[Note, ...]:
    seen: list[Note] = []
    for note in notes:
        if note not in seen:
            seen.append(note)
    return tuple(seen)


def _advice_for(issuers: list[Issuer], calls: list[Call]) -> tuple[Advice, ...]:
    """The advice that goes with the calls, in their order, each once: the theft and the loss lines
    both ask for a police report, and it is one report."""
    known = {(each.id, advice.id): (each, advice) for each in issuers for advice in each.data.advice}
    out: dict[tuple, Advice] = {}
    for call in calls:
        for advice_id in call.advice:
            issuer, advice = known[(call.issuer, advice_id)]
            out.setdefault((call.issuer, advice_id), Advice(call.issuer, advice_id, advice.text(),
                                                            issuer.sources[advice.source].title))
        if call.note:
            out.setdefault((call.issuer, call.note.ja, call.note.en), Advice(call.issuer, None, call.note, call.source))
    return tuple(out.values())


def _issuer_view(issuer: Issuer, at: datetime) -> IssuerView:
    local = at.astimezone(issuer.tz)
    holiday = None
    if local.date() in holiday_calendar(issuer.data.issuer.holidays):
        holiday = Text(ja=holiday_name(issuer.data.issuer.holidays, local.date(), "ja") or "",
                       en=holiday_name(issuer.data.issuer.holidays, local.date(), "en") or "")
    return IssuerView(id=issuer.id, name=issuer.data.issuer.name, timezone=str(issuer.tz), local_now=local,
                      holiday=holiday, online_routes=tuple(issuer.data.online_routes))


def _note_not_eligible(issuer: Issuer, card_id: str, notes: list[Note]) -> None:
    eligible = next((table.cards for table in issuer.data.tables if table.purpose == "overseas"), None) or []
    if card_id not in eligible:
        notes.append(Note("contacts.not_eligible", {
            "card": issuer.cards[card_id].name,
            "cards": Text(ja="、".join(issuer.cards[c].name.ja for c in eligible),
                          en=", ".join(issuer.cards[c].name.en for c in eligible))}))


def _country_lines(issuer: Issuer, overseas: list[ContactLine], code: str, notes: list[Note]) -> list[ContactLine]:
    """The overseas line for ``code``: its own row, else the regional line whose UN M49 subregions
    contain it, else (the source does not say) every regional line."""
    exact = [line for line in overseas if code in line.countries]
    if exact:
        return exact
    from cardguard.directory.countries import countries

    found = countries().get(code)
    regional = [line for line in overseas if line.region]
    if found and found.un_region:
        served = [line for line in regional if found.un_region in line.un_regions]
        if served:
            return served
    from cardguard.directory.countries import country_label

    notes.append(Note("calls.region_unstated", {"country": country_label(code)}))
    return regional


def _issuer_calls(directory: Directory, issuer: Issuer, card_id: str | None, holder: HolderCard | None,
                  purpose: str | None, abroad_in: str | None, at: datetime, notes: list[Note]) -> list[Call]:
    lines = find_lines(directory, issuer=issuer.id, card=card_id, at=at)
    back = holder.back_number if holder else None
    if back and (purpose is None or purpose in URGENT):
        lines.insert(0, own_card_line(directory, issuer.id, card_id, back, holder.nickname or "", purpose))
    if abroad_in is None:
        chosen = [line for line in lines if purpose is None or line.purpose == purpose]
        return _back_number_once([_call(issuer, line, at) for line in _ordered(chosen, at)])

    # Abroad: the line of the country the holder is in comes first for every urgent purpose; it is
    # listed even for a card the source does not name, with that said, since the domestic numbers
    # cannot be dialled from there.
    out: list[Call] = []
    if purpose is None or purpose in URGENT or purpose == "overseas":
        every = [line for line in find_lines(directory, issuer=issuer.id, purpose="overseas", at=at)]
        for line in _country_lines(issuer, every, abroad_in, notes):
            caveats = ()
            if card_id and line.eligible_cards and card_id not in line.eligible_cards:
                caveats = (Note("calls.caveat.overseas_not_for_card", {"card": issuer.cards[card_id].name}),)
            out.append(_call(issuer, line, at, caveats))
    if purpose != "overseas":
        home = [line for line in lines if line.purpose != "overseas" and (purpose is None or line.purpose == purpose)]
        for line in _ordered(home, at):
            caveats = (Note("calls.caveat.not_diallable_abroad"),) if _DOMESTIC_FREE_DIAL.match(line.number) else ()
            call = _call(issuer, line, at, caveats)
            if line.origin == "card":
                # Not "call this first" from abroad: the line of the country comes first.
                call = replace(call, topic=both("calls.on_your_card", name=holder.nickname or ""))
            out.append(call)
    return _back_number_once(out)


def _back_number_once(calls: list[Call]) -> list[Call]:
    """The number on the back of the holder's card, when a line of the same purpose has it too, is
    that line: one entry, in the back number's place, with all the line says (its card, hours,
    source, topic) and that it is the number on the card. Lines of other purposes that share the
    number (0120-020120 also answers general questions) stay: they say what else it is for."""
    backs = [call for call in calls if call.origin == "card"]
    if not backs:
        return calls

    def same(call: Call, back: Call) -> bool:
        return (call.origin != "card" and call.kind == "phone" and call.purpose == back.purpose
                and same_number_key(call.number) == same_number_key(back.number))

    folded = {id(call) for back in backs for call in calls if same(call, back)}
    out: list[Call] = []
    for call in calls:
        if id(call) in folded:
            continue
        lines = [each for each in calls if call.origin == "card" and same(each, call)]
        out.append(_as_back_number(call, lines) if lines else call)
    return out


def _as_back_number(back: Call, lines: list[Call]) -> Call:
    kept = lines[0]
    cards = {line.card for line in lines}
    topic = back.topic if kept.topic is None or back.topic is None else Text(
        ja=f"{back.topic.ja}。{kept.topic.ja}", en=f"{back.topic.en}. {kept.topic.en}")
    return replace(
        kept, topic=topic, printed_on_card=True,
        # Several cards' rows with this number (the card's product is not recorded): the holder's card
        # is one of them, which one is not known.
        card=kept.card if len(cards) == 1 else None, card_name=kept.card_name if len(cards) == 1 else None,
        caveats=_unique([*back.caveats, *kept.caveats]))


def _ordered(lines: list[ContactLine], at: datetime) -> list[ContactLine]:
    """Urgent purposes first; within a purpose the holder's own number, then the line that answers
    around the clock, then one open now; the directory's own order breaks ties."""
    def order(line: ContactLine) -> tuple:
        status = line.status(at)
        return (PURPOSES.index(line.purpose), 0 if line.origin != "directory" else 1,
                0 if status.always_open else 1, 0 if status.open_now else 1)

    return sorted(lines, key=order)


def _call(issuer: Issuer, line: ContactLine, at: datetime, caveats: tuple[Note, ...] = ()) -> Call:
    status = line.status(at)
    span = next((s.name for s in issuer.data.hours_not_covered
                 if status.not_covered_today or status.not_covered_before_opening), None)
    return Call(
        issuer=issuer.id, purpose=line.purpose, card=line.card,
        card_name=issuer.cards[line.card].name if line.card in issuer.cards else None,
        eligible_cards=line.eligible_cards, number=line.number, tel_uri=line.tel_uri, kind=line.kind,
        toll_free=line.toll_free, hours=line.schedule.text, hours_stated=not line.schedule.unknown,
        always_open=status.always_open, emergency_always_open=line.schedule.emergency_always_open,
        open_now=status.open_now, opens_at=status.opens_at, closes_at=status.closes_at,
        not_covered_today=status.not_covered_today, not_covered_before_opening=status.not_covered_before_opening,
        not_covered_name=span, topic=line.topic, place=line.place, countries=line.countries, region=line.region,
        note=line.note, origin=line.origin, source=line.source_title, source_url=line.source_url, as_of=line.as_of,
        caveats=caveats, printed_on_card=line.origin == "card", advice=line.advice,
    )


def _without_directory(directory: Directory, card: HolderCard, purpose: str | None, country: str | None,
                       at: datetime) -> CallAnswer:
    """A card of an issuer the directory has no data for (or none recorded): its own back number,
    with hours not stated, and never another issuer's lines."""
    country_code = None
    if country:
        first = next(iter(directory.issuers.values()), None)
        country_code = resolve_country(first, country) if first else country.upper()
    # cardguard serves holders of cards issued in Japan: abroad is anywhere else.
    abroad = country_code is not None and country_code != "JP"
    notes = [Note("calls.issuer_without_data", {"issuer": card.issuer}) if card.issuer
             else Note("calls.issuer_unknown")]
    calls: list[Call] = []
    if card.back_number:
        caveats = (Note("calls.caveat.not_diallable_abroad"),) if abroad and _DOMESTIC_FREE_DIAL.match(card.back_number) else ()
        calls.append(Call(
            issuer=None, purpose=purpose if purpose else URGENT[0], card=None, card_name=None, eligible_cards=(),
            number=card.back_number, tel_uri=tel_uri(card.back_number), kind="phone", toll_free=None,
            hours=NOT_STATED.text, hours_stated=False, always_open=False, emergency_always_open=False, open_now=None,
            opens_at=None, closes_at=None, not_covered_today=False, not_covered_before_opening=False,
            not_covered_name=None,
            topic=Text(ja=t("contacts.on_your_card", "ja", name=card.nickname or ""),
                       en=t("contacts.on_your_card", "en", name=card.nickname or "")),
            place=None, countries=(), region=None, note=None, origin="card", source=t("contacts.source_card", "en"),
            source_url=None, as_of=at.date(), caveats=caveats, printed_on_card=True))
    elif card.nickname:
        notes.append(Note("calls.no_back_number", {"card": card.nickname}))
    return CallAnswer(
        at=at, purpose=purpose, country=country_code, abroad=abroad, issuer=None, issuer_given=card.issuer,
        card=None, card_name=None, holder_card=card.nickname, back_number=card.back_number, calls=tuple(calls),
        notes=tuple(notes), issuers=(),
    )
