"""Every claim cross-checked against what the certificate says: name, number, level, date, issuer.

Each check reads the words of a Reading (text layer or OCR) and answers pass / warn / fail with a
sentence naming both values, plus the boxes of the words it read. Nothing read means a warning.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path

from app.verification.outcome import Outcome, failed, passed, warned
from app.verification.reading import OCR, Reading

LEVELS_FILE = Path(__file__).parent / "data" / "certificate_levels.toml"
NAME_PASS, NAME_WARN = 0.9, 0.75
ISSUER_LONG = "Institute for Professional Excellence in Coaching"
MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ]  # fmt: skip
    )
    for m in names.split()
}
_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
# iPEC (OCR may read its I as |, [ or l), a dash or colon, then digits (0 read as O, 1 as I or l);
# digit groups split by one space or dash only when a digit follows.
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])[Il1|![]\s?P\s?E\s?C\s?[-‐–—_.:#]?\s?([0-9OoIl](?:[0-9OoIl]|[\s-](?=[0-9]))*)(?![0-9A-Za-z])",
    re.I,
)


def fold(text: str) -> str:
    """Lower case without accents, for forgiving comparisons."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def tokens(text: str) -> list[str]:
    """Folded words of letters and digits."""
    return re.findall(r"[a-z0-9]+", fold(text))


@dataclass
class Page:
    """A Reading prepared for searching: folded tokens and a joined string, both mapped to words."""

    reading: Reading

    def __post_init__(self):
        self.tokens: list[str] = []
        self.token_word: list[int] = []
        self.starts: list[int] = []
        parts, offset = [], 0
        for index, word in enumerate(self.reading.words):
            for tok in tokens(word.text):
                self.tokens.append(tok)
                self.token_word.append(index)
            self.starts.append(offset)
            parts.append(word.text)
            offset += len(word.text) + 1
        self.joined = " ".join(parts)

    def words_in_span(self, start: int, end: int) -> list[int]:
        """Indices of the words a character span of `joined` touches."""
        return [i for i, s in enumerate(self.starts) if s < end and s + len(self.reading.words[i].text) > start]

    def find_phrase(self, phrase: str) -> list[int] | None:
        """Word indices of the first place the phrase's tokens appear in a row, or None."""
        wanted = tokens(phrase)
        n = len(wanted)
        for i in range(len(self.tokens) - n + 1):
            if self.tokens[i : i + n] == wanted:
                return sorted({self.token_word[j] for j in range(i, i + n)})
        return None

    def boxes(self, word_indices) -> list:
        """The first-page boxes of these words."""
        return [self.reading.words[i].box for i in word_indices if self.reading.words[i].box]

    def shown(self, word_indices) -> str:
        """These words as printed."""
        return " ".join(self.reading.words[i].text for i in sorted(word_indices))


def _unread(name: str, reading: Reading, what: str) -> Outcome | None:
    """The warning every cross-check gives when nothing was read."""
    if reading.words:
        return None
    reason = reading.problem or "No text could be read from the certificate"
    return warned(name, f"{reason}; check by eye that it shows {what}.")


def _ocr_note(reading: Reading) -> str:
    return " (read by OCR; check the scan by eye)" if reading.source == OCR else ""


# --- name ------------------------------------------------------------------------------------


def check_name(reading: Reading, first: str, last: str) -> Outcome:
    """The applicant's name appears, tolerant of accents, middle names, order and OCR slips."""
    claimed = f"{first} {last}".strip()
    unread = _unread("name", reading, f"the name {claimed}")
    if unread:
        return unread
    page = Page(reading)
    first_tokens, last_tokens = tokens(first), tokens(last)
    required = [t for t in first_tokens[:1] + last_tokens if len(t) > 1]
    optional = [t for t in first_tokens[1:] if len(t) > 1]  # a middle name the certificate may omit
    if not required or not page.tokens:
        return warned("name", f"The name {claimed} could not be compared; check it by eye.")
    scores, picked = [], set()
    for tok in required + optional:
        ratio, where = max((SequenceMatcher(None, tok, t).ratio(), i) for i, t in enumerate(page.tokens))
        if tok in optional and ratio < NAME_PASS:
            continue
        scores.append(ratio)
        picked.add(page.token_word[where])
    similarity = min(scores)  # the worst-matched part of the name decides
    found, pct = page.shown(picked), f"{similarity:.0%}"
    if similarity >= NAME_PASS:
        return passed(
            "name", f"The certificate names “{found}”, matching the applicant {claimed} (similarity {pct}).",
            page.boxes(picked),
        )  # fmt: skip
    if similarity >= NAME_WARN:
        return warned(
            "name",
            f"The certificate's closest name “{found}” only partly matches the applicant {claimed} "
            f"(similarity {pct}){_ocr_note(reading)}.",
            page.boxes(picked),
        )
    return failed(
        "name", f"The certificate does not name the applicant {claimed}: the closest words are “{found}” "
        f"(similarity {pct}).",
    )  # fmt: skip


# --- certificate number ----------------------------------------------------------------------


def _normal_number(text: str) -> str:
    digits = re.sub(r"[\s-]", "", text).translate(str.maketrans("OoIl", "0011"))
    return f"IPEC-{digits}"


def check_number(reading: Reading, claimed: str | None) -> Outcome:
    """The certificate number printed equals the claimed iPEC number (case, spaces, dashes ignored)."""
    claimed_n = _normal_number(re.sub(r"(?i)^\s*ipec", "", claimed or ""))
    unread = _unread("certificate_number", reading, f"the number {claimed}")
    if unread:
        return unread
    page = Page(reading)
    found = [(m, _normal_number(m.group(1))) for m in _NUMBER.finditer(page.joined)]
    found = [(m, n) for m, n in found if sum(ch.isdigit() for ch in n) >= 4]
    for match, number in found:
        if number == claimed_n:
            where = page.words_in_span(*match.span())
            return passed(
                "certificate_number",
                f"The certificate shows the number {match.group(0).strip()}, matching the claimed {claimed}.",
                page.boxes(where),
            )
    if found:
        match, _number = found[0]
        return failed(
            "certificate_number",
            f"The certificate shows the number {match.group(0).strip()}, but the application claims {claimed}.",
            page.boxes(page.words_in_span(*match.span())),
        )
    return warned(
        "certificate_number",
        f"No iPEC number was found on the certificate{_ocr_note(reading)}; the application claims {claimed}.",
    )


# --- level -----------------------------------------------------------------------------------


def level_names() -> dict[str, list[str]]:
    """Our levels and the names a certificate prints for them (data/certificate_levels.toml)."""
    with LEVELS_FILE.open("rb") as f:
        data = tomllib.load(f)
    return {level: entry["names"] for level, entry in data.items()}


def check_level(reading: Reading, claimed) -> Outcome:
    """The level the certificate names matches the claimed level."""
    claimed_title = claimed.value.title() if claimed else "no level"
    unread = _unread("level", reading, f"the level {claimed_title}")
    if unread:
        return unread
    page = Page(reading)
    hits = []  # (tokens in the name, level, name, word indices)
    for level, names in level_names().items():
        for name in names:
            where = page.find_phrase(name)
            if where is not None:
                hits.append((len(tokens(name)), level, name, where))
    if not hits:
        return warned(
            "level", f"No level name was found on the certificate{_ocr_note(reading)}; the application claims "
            f"{claimed_title}.",
        )  # fmt: skip
    mine = [h for h in hits if claimed and h[1] == claimed.value]
    if mine:
        _n, _level, name, where = max(mine)
        return passed(
            "level", f"The certificate names “{name}”, matching the claimed level {claimed_title}.", page.boxes(where)
        )
    _n, level, name, where = max(hits)
    return failed(
        "level",
        f"The certificate names “{name}” ({level.title()}), but the application claims {claimed_title}.",
        page.boxes(where),
    )


# --- date ------------------------------------------------------------------------------------


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[re.Match, list[date]]]:
    """Dates written as ISO, '1 May 2024', 'May 1, 2024' or '05/01/2024' (both readings), in order."""
    patterns = [
        (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), lambda g: [_safe_date(int(g[0]), int(g[1]), int(g[2]))]),
        (
            re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})\b", re.I),
            lambda g: [_safe_date(int(g[2]), MONTHS[g[1].lower()], int(g[0]))],
        ),
        (
            re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I),
            lambda g: [_safe_date(int(g[2]), MONTHS[g[0].lower()], int(g[1]))],
        ),
        (
            re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"),
            lambda g: [_safe_date(int(g[2]), int(g[0]), int(g[1])), _safe_date(int(g[2]), int(g[1]), int(g[0]))],
        ),
    ]
    found = []
    for pattern, to_dates in patterns:
        for match in pattern.finditer(text):
            readings = list(dict.fromkeys(d for d in to_dates(match.groups()) if d))
            if readings:
                found.append((match, readings))
    return sorted(found, key=lambda f: f[0].start())


def check_date(reading: Reading, claimed: date | None) -> Outcome:
    """A date on the certificate is the claimed certification date; '05/01/2024' is called ambiguous."""
    shown = claimed.isoformat() if claimed else "no date"
    unread = _unread("certificate_date", reading, f"the date {shown}")
    if unread:
        return unread
    page = Page(reading)
    found = find_dates(page.joined)
    for match, dates in found:
        if claimed in dates and len(dates) == 1:
            return passed(
                "certificate_date",
                f"The certificate shows the date {match.group(0)}, matching the claimed {shown}.",
                page.boxes(page.words_in_span(*match.span())),
            )
    for match, dates in found:
        if claimed in dates:
            month_first, day_first = dates
            return warned(
                "certificate_date",
                f"The certificate shows {match.group(0)}: read month first that is {month_first.isoformat()}, "
                f"day first {day_first.isoformat()}; the claimed {shown} is one of them, so check which the "
                "issuer uses.",
                page.boxes(page.words_in_span(*match.span())),
            )
    if found:
        match, dates = found[0]
        read_as = f" ({' or '.join(d.isoformat() for d in dates)})" if len(dates) > 1 else ""
        return failed(
            "certificate_date",
            f"The certificate shows the date {match.group(0)}{read_as}, but the application claims {shown}.",
            page.boxes(page.words_in_span(*match.span())),
        )
    return warned(
        "certificate_date", f"No date was found on the certificate{_ocr_note(reading)}; the application claims {shown}."
    )


# --- issuer ----------------------------------------------------------------------------------


def check_issuer(reading: Reading) -> Outcome:
    """The issuer's name appears: iPEC or the Institute for Professional Excellence in Coaching."""
    unread = _unread("issuer", reading, f"the issuer iPEC ({ISSUER_LONG})")
    if unread:
        return unread
    page = Page(reading)
    where = page.find_phrase(ISSUER_LONG)
    if where is not None:
        return passed("issuer", f"The certificate names the issuer “{ISSUER_LONG}”.", page.boxes(where))
    for index, word in enumerate(reading.words):
        after = reading.words[index + 1].text if index + 1 < len(reading.words) else ""
        if re.fullmatch(r"[^\w]*ipec[^\w]*", fold(word.text)) and not re.match(r"[-\d]", after):
            return passed("issuer", f"The certificate names the issuer “{word.text}”.", page.boxes([index]))
    message = f"The certificate names neither iPEC nor the {ISSUER_LONG}"
    if reading.source == OCR:
        return warned("issuer", f"{message} (read by OCR: a logo may not be readable; check by eye).")
    return failed("issuer", f"{message}.")
