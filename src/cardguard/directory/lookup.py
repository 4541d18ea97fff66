"""From "my card, this purpose, this country" to the lines to call, in the order to call them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

from cardguard.directory.hours import LineStatus, status_at
from cardguard.directory.load import Directory, Issuer, OverrideLine
from cardguard.directory.schema import PURPOSES, Schedule
from cardguard.errors import UserError
from cardguard.i18n import Lang, Text, t
from cardguard.values import record

URGENT = ("fraud", "lost")


def tel_uri(number: str, *, international: bool = False) -> str:
    """A tel: link (RFC 3966). A number printed in international format without its "+" gets one,
    so that it dials from any country."""
    digits = re.sub(r"[^\d+]", "", number)
    if international and not digits.startswith("+"):
        digits = "+" + digits
    return "tel:" + digits


_NOISE = re.compile(r"[\s・\-_.,®™'’()（）]")


@lru_cache(maxsize=4096)
def normalize(name: str) -> str:
    """Case, width, spaces and middle dots do not matter when a person types a card's name."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", name).casefold())


# Words every card of an issuer shares, which say nothing about which card a holder means.
_GENERIC = ("アメリカンエキスプレス", "americanexpress", "アメリカン", "american", "エキスプレス", "express", "アメックス",
            "amex", "カード", "card")
_WORD = re.compile(r"[a-z0-9]+|[^a-z0-9\s・\-_.,®™'’()（）]+")


def _core(text: str) -> str:
    """What is left of a holder's words once the words every card shares are gone."""
    rest = normalize(text)
    for word in _GENERIC:
        rest = rest.replace(word, "")
    return rest


def _words(name: str) -> list[str]:
    """A card name's distinctive words, in order: split at spaces, middle dots and where Latin
    letters meet kana ("ANAアメリカン" is two words)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return [w for w in _WORD.findall(folded) if _core(w)]


def _spoken_forms(names: list[str]) -> set[str]:
    """Every way to say a card by some of its distinctive words, kept in order ("ANAゴールド",
    "デルタゴールド", "プラチナ")."""
    forms: set[str] = set()
    for name in names:
        words = _words(name)
        for mask in range(1, 2 ** len(words)):
            forms.add("".join(w for i, w in enumerate(words) if mask >> i & 1))
    return forms


@record
class CardMatch:
    issuer: Issuer
    card: str


def card_matches(issuers: list[Issuer], given: str) -> list[CardMatch]:
    """The cards ``given`` names. An id, a full name or an alias names one card; otherwise every card
    whose distinctive words can say ``given`` is a candidate, so "ゴールド" fits every Gold card."""
    wanted = normalize(given)
    exact = [CardMatch(each, card.id) for each in issuers for card in each.data.cards
             if wanted in {normalize(n) for n in (card.id, card.name.ja, card.name.en, *card.aliases)}]
    if exact or not wanted:
        return exact
    core = _core(given)
    if not core:
        # Only shared words ("アメックスのカード"): every card of the issuer fits.
        return [CardMatch(each, card.id) for each in issuers for card in each.data.cards]
    return [CardMatch(each, card.id) for each in issuers for card in each.data.cards
            if core in _spoken_forms([card.name.ja, card.name.en, *card.aliases])]


def _refuse_card(given: str, issuers: list[Issuer], matches: list[CardMatch]) -> UserError:
    if matches:
        return UserError("error.card_name_ambiguous", given=given,
                         details=[f"{m.card}  {m.issuer.cards[m.card].name.ja} / {m.issuer.cards[m.card].name.en}"
                                  for m in matches])
    choices = [f"{c.id}  {c.name.ja} / {c.name.en}" for each in issuers for c in each.data.cards]
    return UserError("error.unknown_card", details=choices, given=given)


def resolve_card(issuer: Issuer, given: str) -> str:
    """The id of the issuer's card ``given`` names; a name that fits several is a question, never a pick."""
    matches = card_matches([issuer], given)
    if len(matches) == 1:
        return matches[0].card
    raise _refuse_card(given, [issuer], matches)


def resolve_product(directory: Directory, given: str, issuer: str | None = None) -> tuple[Issuer, str]:
    """The issuer and card a product name means, across every issuer of the directory (or one)."""
    issuers = [directory.issuer(issuer)] if issuer else list(directory.issuers.values())
    matches = card_matches(issuers, given)
    if len(matches) == 1:
        return matches[0].issuer, matches[0].card
    raise _refuse_card(given, issuers, matches)


_PURPOSE_ALIASES = {
    "fraud": ["theft", "stolen", "unauthorized", "盗難", "不正利用", "盗難不正利用"],
    "lost": ["loss", "reissue", "紛失", "再発行", "紛失再発行"],
    "general": ["membership", "membership-services", "総合案内", "メンバーシップサービスセンター"],
    "not-arrived": ["notarrived", "not-received", "届かない", "カードが届かない"],
    "fax": ["ファックス"],
    "overseas": ["abroad", "overseas-assist", "海外", "オーバーシーズアシスト"],
    "apply": ["application", "new", "新規入会", "入会", "申し込み"],
    "cancel": ["cancellation", "close", "解約"],
}


def resolve_purpose(given: str) -> str:
    wanted = normalize(given)
    for purpose in PURPOSES:
        names = [purpose, t(f"purpose.{purpose}", "ja"), t(f"purpose.{purpose}", "en"), *_PURPOSE_ALIASES[purpose]]
        if any(normalize(name) == wanted for name in names):
            return purpose
    choices = [f"{p}  {t(f'purpose.{p}', 'ja')} / {t(f'purpose.{p}', 'en')}" for p in PURPOSES]
    raise UserError("error.unknown_purpose", details=choices, given=given)


def resolve_country(issuer: Issuer, given: str) -> str:
    """An ISO 3166 code; the places the directory names are accepted by name too."""
    wanted = normalize(given)
    if wanted == "uk":
        return "GB"
    for table in issuer.data.tables:
        for row in table.rows:
            if row.countries and row.place and wanted in (normalize(row.place.ja), normalize(row.place.en)):
                return row.countries[0]
    from cardguard.directory.countries import find_country

    found = find_country(given)
    if found is not None:
        return found.code
    places = sorted({f"{c}  {row.place.ja} / {row.place.en}" for table in issuer.data.tables
                     for row in table.rows for c in row.countries if row.place})
    raise UserError("error.unknown_country", details=places, given=given)


@record
class ContactLine:
    issuer: Issuer
    purpose: str
    card: str | None  # None: every card of the issuer (or every eligible one)
    eligible_cards: tuple[str, ...]
    number: str
    kind: str
    toll_free: bool | None
    schedule: Schedule
    topic: Text | None
    note: Text | None
    place: Text | None
    countries: tuple[str, ...]
    region: str | None
    source_title: str
    source_url: str | None
    as_of: date
    origin: str  # "directory", "override" (the user's file) or "card" (printed on the user's card)
    international: bool = False  # printed as 44-20-…: dialled with a "+"
    un_regions: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()  # ids of the issuer's advice that goes with this line

    def status(self, at: datetime) -> LineStatus:
        if self.schedule.emergency_always_open and self.purpose in URGENT:
            # Membership Services answers an emergency (theft, fraud, loss) around the clock.
            return LineStatus(open_now=True, always_open=True, opens_at=None, closes_at=None)
        return status_at(self.schedule, at, self.issuer.tz, self.issuer.is_holiday, self.issuer.not_covered)

    @property
    def tel_uri(self) -> str | None:
        return tel_uri(self.number, international=self.international) if self.kind == "phone" else None

    def as_json(self, lang: Lang, at: datetime) -> dict:
        status = self.status(at)
        return {
            "issuer": self.issuer.id,
            "card": self.card,
            "eligible_cards": list(self.eligible_cards),
            "purpose": self.purpose,
            "purpose_label": t(f"purpose.{self.purpose}", lang),
            "topic": self.topic(lang) if self.topic else None,
            "number": self.number,
            "tel": self.tel_uri,
            "kind": self.kind,
            "toll_free": self.toll_free,
            "hours": self.schedule.text(lang),
            "always_open": status.always_open,
            "emergency_always_open": self.schedule.emergency_always_open,
            "open_now": status.open_now,
            "opens_at": status.opens_at.isoformat() if status.opens_at else None,
            "closes_at": status.closes_at.isoformat() if status.closes_at else None,
            "place": self.place(lang) if self.place else None,
            "countries": list(self.countries),
            "note": self.note(lang) if self.note else None,
            "origin": self.origin,
            "source": self.source_title,
            "source_url": self.source_url,
            "as_of": self.as_of.isoformat(),
        }


def _directory_lines(issuer: Issuer) -> list[ContactLine]:
    lines = []
    for table in issuer.data.tables:
        source = issuer.sources[table.source]
        for row in table.rows:
            lines.append(ContactLine(
                issuer=issuer, purpose=table.purpose,
                card=None if row.card in (None, "*") else row.card,
                eligible_cards=tuple(table.cards or ()),
                number=row.number, kind=table.kind, toll_free=table.toll_free,
                schedule=issuer.schedules[table.schedule],
                topic=table.topic, note=table.note, place=row.place,
                countries=tuple(row.countries), region=row.region,
                source_title=source.title, source_url=source.url, as_of=source.as_of, origin="directory",
                international=row.international, un_regions=tuple(row.un_regions), advice=tuple(table.advice),
            ))
    return lines


def _override_line(issuer: Issuer, entry: OverrideLine, replaced: list[ContactLine]) -> ContactLine:
    like = replaced[0] if replaced else None
    # load_overrides makes sure there is either a schedule or a line to take the hours from.
    schedule = issuer.schedules[entry.schedule] if entry.schedule else like.schedule  # type: ignore[union-attr]
    return ContactLine(
        issuer=issuer, purpose=entry.purpose, card=None if entry.card == "*" else entry.card,
        eligible_cards=like.eligible_cards if like else (),
        number=entry.number, kind=entry.kind,
        toll_free=entry.toll_free if entry.toll_free is not None else (like.toll_free if like else None),
        schedule=schedule, topic=like.topic if like else None,
        note=Text(ja=entry.note, en=entry.note) if entry.note else None,
        place=like.place if like else None, countries=tuple(entry.countries), region=None,
        source_title=entry.source, source_url=None, as_of=entry.as_of, origin="override",
        advice=like.advice if like else (),
    )


def _covers(line: ContactLine, card: str | None) -> bool:
    if card is None:
        return True
    if line.eligible_cards and card not in line.eligible_cards:
        return False
    return line.card in (None, card)


def _same_slot(line: ContactLine, entry: OverrideLine) -> bool:
    if line.purpose != entry.purpose or tuple(entry.countries) != line.countries:
        return False
    return entry.card == "*" or line.card in (None, entry.card)


def issuer_lines(directory: Directory, issuer: Issuer) -> list[ContactLine]:
    """The issuer's lines with the user's overrides merged in: an override replaces the lines of
    the same purpose (and country) for the cards it names. Built once per loaded directory."""
    cache = directory.__dict__.setdefault("_lines", {})  # a frozen dataclass still has its own __dict__
    if issuer.id not in cache or cache[issuer.id][0] is not issuer:
        cache[issuer.id] = (issuer, _merged_lines(directory, issuer))
    return list(cache[issuer.id][1])


def _merged_lines(directory: Directory, issuer: Issuer) -> list[ContactLine]:
    shipped = _directory_lines(issuer)
    lines = list(shipped)
    for entry in directory.overrides:
        if entry.issuer != issuer.id:
            continue
        # The directory's own lines of the slot, even when an earlier line of the holder's took them
        # out already: a second number for one purpose takes its hours from them too.
        replaced = [line for line in shipped if _same_slot(line, entry)]
        if entry.card != "*":
            # A row for every card stays for the other cards; only rows of this very card go.
            gone = [line for line in replaced if line.card == entry.card]
        else:
            gone = replaced
        lines = [line for line in lines if line not in gone]
        lines.append(_override_line(issuer, entry, replaced))
    return lines


def same_number_key(number: str) -> str:
    """Whether two written numbers are one line: what a phone dials for each (``dialled_number``:
    +81 3 … and +81 (0)3 … are 03 …, full-width digits count), without the "+" of another country
    (the directory prints overseas lines as 1-800-…), and 81 3 … written without its "+" read as Japan's."""
    digits = dialled_number(number).lstrip("+")
    return "0" + digits[2:].lstrip("0") if digits.startswith("81") and len(digits) >= 11 else digits


NOT_STATED = Schedule(id="not-stated", unknown=True, text=Text(ja="カードの記載のとおり（受付時間の記載なし）",
                                                              en="as printed on your card (hours not stated)"))


def own_card_line(directory: Directory, issuer_id: str, product: str | None, number: str, nickname: str,
                  purpose: str | None = None) -> ContactLine:
    """The number printed on the holder's card. It answers for the card's urgent purposes (theft,
    fraud, loss): its hours are those of the urgent line of this card with the same number. A line
    of another purpose with that number (new applications share 0120-020120's digits with nothing
    urgent) says nothing about it; without an urgent match the hours are not stated, never guessed."""
    issuer = directory.issuer(issuer_id)
    wanted = purpose if purpose in URGENT else None
    same = [line for line in issuer_lines(directory, issuer)
            if same_number_key(line.number) == same_number_key(number) and line.purpose in URGENT and _covers(line, product)
            and line.kind == "phone"]
    same.sort(key=lambda line: (line.purpose != wanted, URGENT.index(line.purpose), line.card != product))
    like = same[0] if same else None
    return ContactLine(
        # Asked for one urgent purpose, the number on the card answers it, whatever line of the
        # directory its hours come from (a holder's own fraud line may have replaced that one).
        issuer=issuer, purpose=wanted or (like.purpose if like else URGENT[0]), card=product,
        eligible_cards=(), number=number, kind="phone", toll_free=like.toll_free if like else None,
        schedule=like.schedule if like else NOT_STATED,
        topic=Text(ja=t("contacts.on_your_card", "ja", name=nickname), en=t("contacts.on_your_card", "en", name=nickname)),
        note=None, place=None, countries=(), region=None, source_title=like.source_title if like else t("contacts.source_card", "en"),
        source_url=like.source_url if like else None, as_of=like.as_of if like else date.today(), origin="card",
        advice=like.advice if like else (),
    )


def find_lines(directory: Directory, *, issuer: str | None = None, card: str | None = None,
               purpose: str | None = None, at: datetime | None = None) -> list[ContactLine]:
    """The matching lines, urgent purposes first, and within a purpose the line that answers
    around the clock, then one open at ``at``, then the rest."""
    issuers = [directory.issuer(issuer)] if issuer else list(directory.issuers.values())
    found: list[ContactLine] = []
    for each in issuers:
        card_id = resolve_card(each, card) if card else None
        lines = [line for line in issuer_lines(directory, each) if _covers(line, card_id)]
        if card_id:
            # With a card given, a row of an override for that very card hides the shared row.
            specific = {(line.purpose, line.countries) for line in lines if line.card == card_id and line.origin != "directory"}
            lines = [line for line in lines if line.origin != "directory" or line.card is not None
                     or (line.purpose, line.countries) not in specific]
        if purpose:
            lines = [line for line in lines if line.purpose == purpose]
        found.extend(lines)

    def order(line: ContactLine) -> tuple:
        status = line.status(at) if at else None
        return (
            PURPOSES.index(line.purpose),
            0 if line.origin != "directory" else 1,
            0 if (status.always_open if status else line.schedule.always_open) else 1,
            0 if (status and status.open_now) else 1,
        )

    return sorted(found, key=order)  # stable: the directory's own order breaks ties



def dialled_number(number: str, *, international: bool = False) -> str:
    """What a phone in Japan dials for ``number`` as written, in one form: full-width digits and
    separators do not count, +81 … (Japan's country code, with or without its "(0)") is the national
    0 …, and another country's number keeps its "+" (Japan's international prefix 010 is that "+").
    ``international``: printed in international format without its "+", as the directory's
    overseas rows are."""
    digits = re.sub(r"[^0-9+]", "", unicodedata.normalize("NFKC", number or ""))
    plus = digits.startswith("+") or international
    digits = digits.replace("+", "")
    if not plus and digits.startswith("010"):
        plus, digits = True, digits[3:]
    if plus and digits.startswith("81"):
        return "0" + digits[2:].lstrip("0")
    return "+" + digits if plus and digits else digits


def _published_numbers(directory: Directory) -> dict[str, frozenset[str]]:
    """Every number an issuer publishes (``dialled_number`` form) -> the ids of the issuers publishing
    it: the shipped lines, and the user's own (a number printed on their card) as well. A line for
    another country printed in that country's own form (France's 0800-90-86-29) is left out: dialled
    as written from Japan it reaches a Japanese number nobody here publishes."""
    cache = directory.__dict__.setdefault("_published", {})
    if "numbers" not in cache:
        owners: dict[str, set[str]] = {}
        for issuer in directory.issuers.values():
            for line in [*_directory_lines(issuer), *issuer_lines(directory, issuer)]:
                abroad = (line.countries or line.region) and "JP" not in line.countries
                if abroad and not line.international:
                    continue
                owners.setdefault(dialled_number(line.number, international=line.international), set()).add(issuer.id)
        cache["numbers"] = {number: frozenset(ids) for number, ids in owners.items() if number}
    return cache["numbers"]


def issuers_publishing(directory: Directory, number: str) -> frozenset[str]:
    """The ids of the issuers whose published numbers include the one ``number`` dials. A number
    written without a leading 0 or "+" may be an overseas line printed as the directory prints it
    (1-800-…): it is looked up that way too."""
    published = _published_numbers(directory)
    national = dialled_number(number)
    found = published.get(national, frozenset())
    if national and national[0] not in "0+":
        found |= published.get(dialled_number(number, international=True), frozenset())
    return found
