"""Dates and times for the needs that take them, formatted the way each need expects."""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.slots import Span, fill_slots, role_before
from nlactions.resolver.extract.years import is_year

__all__ = ["find_temporal"]


def _choice_for(need: NeedProfile, kind: str, value: str) -> str | None:
    if need.index is None:
        return None
    hits = need.index.by_value(kind, value)
    return hits[0].key if len(hits) == 1 else None


def _render_date(need: NeedProfile, span: Span) -> Any:
    iso = str(span.value)
    if need.kind == "choice":
        return _choice_for(need, "date", iso)
    if need.kind == "datetime":
        return None  # handled with the time of day below
    if need.date_format and need.need.type == "str":
        return dt.date.fromisoformat(iso).strftime(need.date_format)
    return iso


def _render_time(need: NeedProfile, span: Span) -> Any:
    if need.kind == "choice":
        return _choice_for(need, "time", str(span.value))
    if need.time_format:
        hour, minute = (int(x) for x in str(span.value).split(":"))
        ampm = "am" if hour < 12 else "pm"
        text = need.time_format.format(h=hour % 12 or 12, m=f"{minute:02d}", ampm=ampm, AMPM=ampm.upper())
        if minute and "{m}" not in need.time_format:
            text = need.time_format.replace("{h}", "{h}:{m}").format(
                h=hour % 12 or 12, m=f"{minute:02d}", ampm=ampm, AMPM=ampm.upper()
            )
        return text
    return str(span.value)


_NEAR = 40  # characters: "tomorrow, June01 2023" restates the day in a form not read


def _beside_unread_year(ctx: Context, years: list[int], start: int, end: int) -> bool:
    """True for a relative day ("tomorrow", "next Friday") next to a year no date was read from."""
    if any(c.isdigit() for c in ctx.text[start:end]):
        return False  # the date itself is written out
    segment = ctx.view.segment_at(start)
    i = bisect.bisect_right(years, start - _NEAR)
    while i < len(years) and years[i] < end + _NEAR:
        if ctx.view.segment_at(years[i]) == segment:
            return True
        i += 1
    return False


def find_temporal(ctx: Context) -> list[Proposal]:
    """Proposals for date, datetime and time needs (and choices whose labels are dates or times)."""
    view = ctx.view
    date_needs = [p for p in ctx.profiles if p.kind == "date" or (p.kind == "choice" and p.choice_kind == "date")]
    time_needs = [p for p in ctx.profiles if p.kind == "time" or (p.kind == "choice" and p.choice_kind == "time")]
    stamp_needs = ctx.of_kind("datetime")
    out: list[Proposal] = []
    years = [n.start for n in ctx.numbers() if is_year(ctx.view, n)]  # in order of the text
    dates = [
        Span(f.start, f.end, f.value, f.confidence, role_before(view, f.start), view.segment_at(f.start))
        for f in ctx.dates()
        if not _beside_unread_year(ctx, years, f.start, f.end)
    ]
    times = [
        Span(f.start, f.end, f.value, f.confidence, role_before(view, f.start), view.segment_at(f.start))
        for f in ctx.times()
    ]
    out += fill_slots(view, date_needs, dates, _render_date, "date")
    out += fill_slots(view, time_needs, times, _render_time, "time")
    if stamp_needs:
        out += _datetimes(ctx, stamp_needs, dates, times)
    return out


def _datetimes(ctx: Context, needs: list[NeedProfile], dates: list[Span], times: list[Span]) -> list[Proposal]:
    """One date and/or one time of day make an ISO date-time for a single datetime need."""
    day_values = {s.value for s in dates}
    time_values = {s.value for s in times}
    if len(needs) != 1 or len(day_values) > 1 or len(time_values) > 1 or not dates:
        return []  # a time of day alone names no day: today's date would be a guess
    need = needs[0]
    day = dt.date.fromisoformat(dates[0].value) if dates else ctx.now.date()
    clock = dt.time.fromisoformat(times[0].value) if times else dt.time(0, 0)
    stamp = dt.datetime.combine(day, clock, tzinfo=ctx.now.tzinfo)
    spans = [*dates[:1], *times[:1]]
    conf = min(s.confidence for s in spans) - (0.05 if not (dates and times) else 0.0)
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    return [Proposal(need.key, stamp.isoformat(), conf, start, end, "date and time")]
