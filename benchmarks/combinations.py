"""Every filter combination the staff lists offer, at page 1 and 500 pages deep (issue 20).

    make bench BENCH_ARGS=--combinations           # the seeded bench database, gunicorn as for the pages
    make bench BENCH_ARGS="--combinations --lists finance,users --samples 5"

What is walked is read from the pages themselves: each list's filter form (`<form class="filters">`)
is fetched as its role and parsed, so the combinations are the values a user can pick there:
- every `<select>`'s options, crossed with each other; an option whose value is a number is one
  object (a reviewer, a group): the walker takes the first such option of a select, the others are
  the same statement with another id;
- a hidden field is walked over the values the page's own links give it (the moderation tabs);
- each free-text field (search, e-mail, amounts, dates) gets one term that matches the data and one
  that does not, one field at a time, crossed with every select combination. A free-text field the
  walker has no terms for stops the walk (a new filter cannot be left out silently);
- the finance list's "From" is crossed like a select: absent (the default 30 days) and empty (all time).

Each combination is requested at page 1 and at the page 500 pages deep: the keyset cursor of the
row before row 500 x page size in that list's order under that filter, computed with the app's own
filter code (or, for a shorter list, its last page; a one-page list has no deep page). The walker
checks that each deep page starts at that row. Server time is the X-Server-Time-ms header: p95 of
`samples` requests per path (the first answer's rows are checked), `clients` at a time. Prints the
slowest ten and how many exceed 100 ms, writes benchmarks/results/combinations.md, and exits 0 either
way (figures, not timed assertions).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import statistics
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser

import sqlalchemy as sa

from benchmarks.combination_lists import LISTS, Context, StaffList, context_for
from benchmarks.run import ROLE_LOGINS, ROOT, _load, _session_for, percentile

__all__ = ["LISTS", "Context", "StaffList", "walk"]

log = logging.getLogger("benchmarks")
DEPTH_PAGES = 500
TARGET_MS = 100.0
RECHECK = 10  # requests for each of the slowest (by p50), timed again after the walk
RECHECK_SLOWEST = 20
TEXT_INPUTS = {"", "text", "search", "date", "number", "email"}


class FilterForm(HTMLParser):
    """The filter form of a list page: its selects' options, free-text inputs and hidden fields,
    and every link's query string (where hidden fields get their values)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.selects: dict[str, list[str]] = {}
        self.texts: list[str] = []
        self.hidden: list[str] = []
        self.links: list[str] = []
        self._in_form = False
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form" and "filters" in (a.get("class") or "").split() and (a.get("method") or "get") == "get":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "select" and a.get("name"):
            self._select = a["name"]
            self.selects.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            self.selects[self._select].append(a.get("value") or "")
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "").lower()
            if kind == "hidden":
                self.hidden.append(a["name"])
            elif kind in TEXT_INPUTS:
                self.texts.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def dimensions(staff_list: StaffList, html: str) -> tuple[dict[str, list[str | None]], list[str]]:
    """({crossed field: its values}, [free-text fields]) of the list's filter form as the page offers it."""
    form = FilterForm()
    form.feed(html)
    crossed: dict[str, list[str | None]] = {}
    for name, options in form.selects.items():
        ids = [o for o in options if o.isdigit()]
        crossed[name] = [o for o in options if not o.isdigit()] + ids[:1]
    path = urllib.parse.urlsplit(staff_list.path).path
    for name in form.hidden:
        values = []
        for href in form.links:
            parts = urllib.parse.urlsplit(href)
            for value in urllib.parse.parse_qs(parts.query, keep_blank_values=True).get(name, []):
                if parts.path == path and value not in values:
                    values.append(value)
        if values:
            crossed[name] = values
    texts = []
    for name in form.texts:
        if name in staff_list.crossed:
            crossed[name] = list(staff_list.crossed[name])
        elif name in staff_list.texts:
            texts.append(name)
        else:
            raise ValueError(
                f"{staff_list.name}: the free-text filter {name!r} has no terms in benchmarks/combinations.py"
            )
    return crossed, texts


def combinations(crossed: dict[str, list[str | None]], texts: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    """Every crossed value with every other, each with no free text and with each term of each text field alone.
    Empty values of selects and texts are left out of the query string (the form would send them empty)."""
    names = list(crossed)
    text_choices = [{}] + [{name: term} for name, terms in texts.items() for term in terms]
    out = []
    for values in itertools.product(*(crossed[n] for n in names)):
        base = {n: v for n, v in zip(names, values, strict=True) if v is not None}
        base = {n: v for n, v in base.items() if v != "" or n in _KEEP_EMPTY}
        for extra in text_choices:
            out.append({**base, **extra})
    return out


_KEEP_EMPTY = {"date_from"}  # finance: an empty "From" means all time, an absent one the last 30 days


def terms(staff_list: StaffList, names: list[str], fetch_one: Callable[[str], object]) -> dict[str, tuple[str, str]]:
    """{field: (a term that matches the data, one that does not)} for the form's free-text fields."""
    out = {}
    for name in names:
        match_sql, miss_sql = staff_list.texts[name]
        out[name] = (str(fetch_one(match_sql) or ""), str(fetch_one(miss_sql)))
    return out


def deep_page(staff_list: StaffList, args: dict, ctx: Context, depth: int) -> tuple[str, int, int] | None:
    """(cursor, row number it starts at, that row's id) of the page `depth` rows in, or of the last page of a
    shorter list; None for a list of one page. Run in the app's context, with its session."""
    from app.core.pagination import encode_cursor
    from app.extensions import db

    order = staff_list.statement(args, ctx)
    ids = order.stmt.with_only_columns(order.columns[-1]).order_by(None)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ids.limit(depth + 1).subquery()))
    start = min(depth, ((count - 1) // staff_list.page_size) * staff_list.page_size) if count else 0
    if start == 0:
        return None
    sort = [c.desc() if order.descending else c.asc() for c in order.columns]
    keys = order.stmt.with_only_columns(*order.columns).order_by(*sort).offset(start - 1).limit(2)
    before, first = db.session.execute(keys).all()
    values = [v.isoformat() if hasattr(v, "isoformat") else v for v in before]
    return encode_cursor(values), start, first[-1]


def with_args(path: str, args: dict) -> str:
    """The path with the combination's query string."""
    return path + ("?" + urllib.parse.urlencode(args) if args else "")


def row_ids(staff_list: StaffList, html: str) -> list[int]:
    """The ids of the rows a list page shows, in order."""
    return [int(x) for x in re.findall(staff_list.row_ids, html)] if staff_list.row_ids else []


@dataclass
class Timed:
    """One walked request."""

    list_name: str
    page: str  # "1" or "deep (row N)"
    path: str
    status: int
    p95: float
    p50: float
    wrong_start: bool = False
    page1_p50: float | None = None  # for a deep page: the same combination's page 1


@dataclass(frozen=True)
class Target:
    """One path to time: a combination at page 1, or deep with the id of the row its page starts at."""

    page: str  # "1" or "deep (row N)"
    path: str
    first_id: int | None = None


def plan(staff_list: StaffList, html: str, ctx: Context, fetch_one, depth: int) -> tuple[list[dict], list[Target]]:
    """(the combinations the list's page offers, the paths to time for them), in the app's context."""
    crossed, texts = dimensions(staff_list, html)
    combos = combinations(crossed, terms(staff_list, texts, fetch_one))
    log.info("  %-13s %d combinations (%s)", staff_list.name, len(combos),
             " x ".join(f"{n} {len(v)}" for n, v in crossed.items()) + (f", texts {len(texts)} x 2" if texts else ""))  # fmt: skip
    targets = []
    for args in combos:
        targets.append(Target("1", with_args(staff_list.path, args)))
        deep = deep_page(staff_list, args, ctx, depth) if staff_list.statement else None
        if deep:
            cursor, start, first_id = deep
            targets.append(
                Target(f"deep (row {start:,})", with_args(staff_list.path, {**args, "after": cursor}), first_id)
            )
    return combos, targets


def walk(
    staff_list: StaffList,
    get: Callable[[str], tuple[int, str, dict]],
    ctx: Context,
    fetch_one,
    samples: int,
    depth: int,
    clients: int = 1,
) -> list[Timed]:
    """Request every combination of one list at page 1 and deep, `samples` times each (the first answer's
    rows are checked); `get(path)` gives (status, body, headers). The cursors are all computed first, in
    the app's context; `clients` threads then share the requests."""
    status, html, _ = get(staff_list.path)
    if status != 200:
        raise RuntimeError(f"{staff_list.path} answered {status}")
    targets = plan(staff_list, html, ctx, fetch_one, depth)[1]

    def timed(target: Target) -> tuple[int, list[float], bool]:
        status, body, headers = get(target.path)
        times = [float(headers.get("X-Server-Time-ms", "nan"))]
        times += [float(get(target.path)[2].get("X-Server-Time-ms", "nan")) for _ in range(samples - 1)]
        return status, times, target.first_id is not None and row_ids(staff_list, body)[:1] != [target.first_id]

    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = list(pool.map(timed, targets))
    out: list[Timed] = []
    for target, (status, times, wrong) in zip(targets, answers, strict=True):
        page1 = out[-1].p50 if target.first_id is not None else None  # a deep target follows its page 1
        out.append(Timed(staff_list.name, target.page, target.path, status, percentile(times, 0.95),
                         statistics.median(times), wrong, page1))  # fmt: skip
    return out


def _row(r: Timed) -> str:
    ratio = f"{r.p50 / r.page1_p50:.1f}x" if r.page1_p50 else ""
    return f"| {r.list_name} | {r.page} | {r.p95:.1f} | {r.p50:.1f} | {ratio} | {r.status} | `{r.path}` |"


def report(results: list[Timed], meta: list[str], again: list[tuple[Timed, Timed]] = ()) -> str:
    """The per-list figures, the slowest ten, and the slowest timed again (`again`: (first pass, again)), as markdown."""
    over = [r for r in results if r.p95 > TARGET_MS]
    lines = ["# Every filter combination of the staff lists", "", *(f"- {m}" for m in meta), ""]
    lines += ["| list | requests walked | over 100 ms p95 | over 100 ms p50 | slowest p95 ms | not 200 "
              "| deep pages off their row |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for name in dict.fromkeys(r.list_name for r in results):
        mine = [r for r in results if r.list_name == name]
        lines.append(f"| {name} | {len(mine)} | {sum(r.p95 > TARGET_MS for r in mine)} "
                     f"| {sum(r.p50 > TARGET_MS for r in mine)} | {max(r.p95 for r in mine):.1f} "
                     f"| {sum(r.status != 200 for r in mine)} | {sum(r.wrong_start for r in mine)} |")  # fmt: skip
    head = [
        "| list | page | server p95 ms | p50 ms | p50 / its page 1 | status | path |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += ["", f"**{len(over)} of {len(results)} requests over {TARGET_MS:.0f} ms at p95.** The slowest ten:", "",
              *head, *(_row(r) for r in sorted(results, key=lambda r: r.p95, reverse=True)[:10])]  # fmt: skip
    if again:
        slow = [b for _, b in again if b.p95 > TARGET_MS]
        lines += ["", f"The {len(again)} slowest by p50 timed again, {RECHECK} requests each, one client "
                  f"({len(slow)} still over {TARGET_MS:.0f} ms at p95); the slowest ten of that pass:", "",
                  *head, *(_row(b) for _, b in sorted(again, key=lambda ab: ab[1].p95, reverse=True)[:10])]  # fmt: skip
    return "\n".join(lines) + "\n"


def time_again(slowest: list[Timed], gets: dict[str, Callable]) -> list[tuple[Timed, Timed]]:
    """Each of `slowest` requested RECHECK more times, one at a time (a stall on the shared machine
    during the walk shows as a p95 that does not come back)."""
    out = []
    for r in slowest:
        times = [float(gets[r.list_name](r.path)[2].get("X-Server-Time-ms", "nan")) for _ in range(RECHECK)]
        again = Timed(r.list_name, r.page, r.path, r.status, percentile(times, 0.95), statistics.median(times),
                      r.wrong_start, r.page1_p50)  # fmt: skip
        out.append((r, again))
    return out


def run(base: str, url: str, sessions: dict, db_conn, samples: int, only: set[str], clients: int = 1) -> int:
    """Walk every list on the served app `base` over the bench database `url`; print and save the report."""
    from app import create_app
    from benchmarks.page import Page
    from config import DevelopmentConfig

    started, load_before = time.perf_counter(), os.getloadavg()
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url, REDIS_URL=None)
    log.setLevel(logging.INFO)  # the app just set the root logger to LOG_LEVEL; the walk's progress still shows
    results: list[Timed] = []
    gets: dict[str, Callable] = {}

    def fetch_one(sql: str):
        row = db_conn.execute(sql).fetchone()
        return row[0] if row else None

    with app.app_context():
        for staff_list in LISTS:
            if only and staff_list.name not in only:
                continue
            session = _session_for(Page(staff_list.name, staff_list.path, (staff_list.role,)), base, sessions, db_conn)

            def get(path: str, session=session):
                resp = session.request(path)
                return resp.status, resp.body.decode("utf-8", "replace"), resp.headers

            gets[staff_list.name] = get
            ctx = context_for(ROLE_LOGINS[staff_list.role])
            mine = walk(staff_list, get, ctx, fetch_one, samples, DEPTH_PAGES * staff_list.page_size, clients)
            log.info("  %-13s %d requests, %d over %.0f ms, slowest %.1f ms", staff_list.name, len(mine),
                     sum(r.p95 > TARGET_MS for r in mine), TARGET_MS, max(r.p95 for r in mine))  # fmt: skip
            results += mine
        from app.extensions import db

        db.engine.dispose()
    # by p50: a median of three resists one stall of the shared machine, which a p95 of three does not
    again = time_again(sorted(results, key=lambda r: r.p50, reverse=True)[:RECHECK_SLOWEST], gets)
    meta = [
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {url.rsplit('/', 1)[1]}; server time (X-Server-Time-ms) p95 of "
        f"{samples} requests per path (the first included), {clients} client(s), gunicorn with 2 workers",
        f"deep page: {DEPTH_PAGES} pages of 50 in (row {DEPTH_PAGES * 50:,}), or the last page of a shorter list",
        f"walk took {time.perf_counter() - started:.0f} s; load average {_load(load_before)} at the start, "
        f"{_load(os.getloadavg())} at the end ({os.cpu_count()} CPUs shared with other work)",
    ]
    text = report(results, meta, again)
    print("\n" + text)
    out = ROOT / "benchmarks" / "results" / "combinations.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    rows = [[r.list_name, r.page, r.path, r.status, r.p95, r.p50, r.wrong_start] for r in results]
    out.with_suffix(".json").write_text(json.dumps(rows))  # every request walked, for a closer look
    return 0
