"""Option parsing shared by the commands: times, zones, inputs; errors on stderr, one line each."""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

import typer

from jgview.lazy import LazyPattern

_DUR = LazyPattern(re.compile, r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_time(value: str | None, opt: str) -> datetime | None:
    """ISO 8601 (``2024-05-01T10:00:00Z``, ``2024-05-01 10:00``, a date) or a duration before
    now like kubectl's ``--since`` (``90m``, ``2h``, ``1d``)."""
    if value is None or value == "":
        return None
    v = value.strip()
    m = _DUR.match(v)
    if m and any(m.groups()):
        d, h, mi, s = (int(x or 0) for x in m.groups())
        return datetime.now(timezone.utc) - timedelta(days=d, hours=h, minutes=mi, seconds=s)
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a time (use e.g. 2024-05-01T10:00:00Z or 2h)", param_hint=opt) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)", param_hint="--date") from None


def parse_tz(value: str | None) -> tzinfo:
    if not value or value.upper() in ("UTC", "Z"):
        return timezone.utc
    m = re.match(r"^([+-])(\d{2}):?(\d{2})$", value.strip())
    if m:
        sign = -1 if m.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(value)
    except Exception:  # noqa: BLE001 - zoneinfo raises several kinds
        raise typer.BadParameter(f"unknown time zone {value!r} (use UTC, +02:00 or Europe/Berlin)", param_hint="--tz") from None


def analyze_options(
    *,
    expect: int | None,
    since: str | None,
    until: str | None,
    date_: str | None,
    pod: str | None,
    tz: str | None,
) -> Any:
    from jgview.pipeline import AnalyzeOptions

    if expect is not None and expect < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--expect")
    return AnalyzeOptions(
        expect=expect,
        since=parse_time(since, "--since"),
        until=parse_time(until, "--until"),
        date=parse_date(date_),
        pod=pod,
        tz=parse_tz(tz),
    )


def stderr_line(msg: str) -> None:
    from jgview.render.safe import clean_line

    sys.stderr.write(clean_line(msg, 1000) + "\n")
    sys.stderr.flush()


PATHS_HELP = "Log files, directories, .gz files, collect bundles; '-' or nothing for stdin."
