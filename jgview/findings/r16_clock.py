"""R16: clock and time artefacts — a hazard for whoever reads the timeline, not a cluster fault."""

from __future__ import annotations

from jgview.findings import Context, rule
from jgview.findings.r00_common import evidence, facts, plist, guarded
from jgview.models import Event, Finding, Severity

SKEW = 2.0
"""Seconds a member may log a view before its coordinator did before we call it clock skew."""


@rule("R16")
@guarded
def clock_artefacts(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    h = f.h
    bits: list[str] = []
    ev: list[Event] = []
    details: dict[str, object] = {}
    # a member logging a view before the coordinator that made it: the clocks disagree
    creator_t: dict[tuple[str, str, int], tuple[float, object]] = {}
    for o in h.obs:
        if o.t is None or o.kind not in ("view", "merged"):
            continue
        if f.pod_of(o.view.creator) == o.pod:
            k = (o.channel, o.view.creator, o.view.id)
            if k not in creator_t or o.t < creator_t[k][0]:
                creator_t[k] = (o.t, o)
    skews: dict[tuple[str, str], tuple[float, Event, Event]] = {}
    for o in h.obs:
        if o.t is None or o.kind not in ("view", "merged"):
            continue
        k = (o.channel, o.view.creator, o.view.id)
        if k not in creator_t or f.pod_of(o.view.creator) == o.pod:
            continue
        tc, co = creator_t[k]
        lead = tc - o.t
        if lead > SKEW:
            pair = (o.pod, co.pod)  # type: ignore[attr-defined]
            if pair not in skews or lead > skews[pair][0]:
                skews[pair] = (lead, o.event, co.event)  # type: ignore[attr-defined]
    if skews:
        worst = sorted(skews.items(), key=lambda kv: -kv[1][0])[:3]
        descr = []
        for (member, coord), (lead, e1, e2) in worst:
            hours = lead / 3600
            tz = " (whole hours: different time zones?)" if lead >= 3000 and abs(hours - round(hours)) < 0.02 else ""
            descr.append(f"{member} logged a view {int(round(lead))} s before its coordinator {coord} did{tz}")
            ev += [e1, e2]
        bits.append("; ".join(descr))
        details["skew_s"] = {f"{m}<{c}": round(v[0], 1) for (m, c), v in skews.items()}
    # midnight rollover in time-only logs
    if h.relative_time and any(t >= 86400 for t in h.tkey.values()):
        bits.append("time-only logs cross midnight: dates were inferred from the rollover")
        details["midnight"] = True
    else:
        # time-only layouts given a date (--date): the date of lines after 00:00 was inferred
        rolled: list[Event] = []
        first_day: dict[str, object] = {}
        for e in h.events:
            if e.time is None or not e.time_of_day:
                continue
            d0 = first_day.setdefault(e.source, e.time.date())
            if e.time.date() != d0 and not any(r.source == e.source for r in rolled):
                rolled.append(e)
        if rolled:
            bits.append(
                f"time-only logs cross midnight ({plist(sorted({e.source.rsplit('/', 1)[-1] for e in rolled}), 3)}):"
                " the next day's date was inferred"
            )
            ev += rolled[:2]
            details["midnight"] = True
    if not bits:
        return []
    return [
        Finding(
            id="R16-clock",
            severity=Severity.INFO,
            title="Clock and time artefacts",
            summary="Read the times with care: " + "; ".join(bits)
            + ". Views are ordered by their lineage ([creator|id]), not by these clocks.",
            evidence=evidence(ev),
            remediation=(
                "Collect with kubectl's own timestamps (the node's clock, UTC): kubectl logs <pod> --timestamps;"
                " for time-only logs pass the date: jgview --date YYYY-MM-DD. Check the nodes' NTP sync."
            ),
            details=details,
        )
    ]
