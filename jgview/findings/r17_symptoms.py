"""R17: the symptoms users see first — Keycloak error events during a split."""

from __future__ import annotations

from collections import Counter

from jgview.findings import Context, rule
from jgview.findings.r00_common import INF, clock_t, evidence, facts, plist, guarded
from jgview.models import Event, Finding, Kind, Severity, Verdict

SYMPTOMS = ("expired_code", "invalid_code", "user_session_not_found")
MISSING_CLIENT = "Session doesn't have required client"


def symptom_of(ev: Event) -> str | None:
    """The user-visible symptom of a USER_SYMPTOM event, or None for unrelated Keycloak errors."""
    for key in ("symptom", "error"):
        v = str(ev.detail.get(key) or "")
        if v in SYMPTOMS:
            return v
        if MISSING_CLIENT in v:
            return MISSING_CLIENT
    if MISSING_CLIENT in str(ev.detail.get("reason") or "") or MISSING_CLIENT in ev.text:
        return MISSING_CLIENT
    for s in SYMPTOMS:
        if f"error={s}" in ev.text or f'error="{s}"' in ev.text:
            return s
    return None


@rule("R17")
@guarded
def user_symptoms(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    sym = [(ev, s) for ev in f.events([Kind.USER_SYMPTOM]) if (s := symptom_of(ev))]
    if not sym:
        return []
    out: list[Finding] = []
    for r in f.results:
        if not r.analysis.splits:
            continue
        pods = set(f.group_pods(r))
        hits: list[tuple[Event, str]] = []
        open_hit = False
        t_first, t_last = INF, -INF
        for iv in r.analysis.splits:
            t0, t1 = f.interval_keys(iv)
            for ev, s in sym:
                t = f.h.t(ev)
                if ev.pod in pods and t is not None and t0 <= t <= t1:
                    if (ev, s) not in hits:
                        hits.append((ev, s))
                        t_first, t_last = min(t_first, t0), max(t_last, t1)
                        open_hit = open_hit or t1 == INF
        if not hits:
            continue
        c = Counter(s for _e, s in hits)
        what = ", ".join(f"{n} {s}" for s, n in c.most_common())
        where = sorted({e.pod for e, _s in hits if e.pod})
        until = "the end of the logs" if t_last == INF else clock_t(f, t_last)
        still = r.analysis.verdict is Verdict.SPLIT and open_hit
        summary = (
            f"{len(hits)} Keycloak error event{'s' if len(hits) != 1 else ''} ({what}) on {plist(where, 3)} between"
            f" {clock_t(f, t_first)} and {until}, while the pods were split: users saw this because each side kept"
            " its own sessions and codes, so a request that landed on another pod than the one that issued its code"
            " or session found nothing there."
        )
        out.append(
            Finding(
                id="R17-user-symptoms",
                severity=Severity.ERROR if still else Severity.WARNING,
                title="Users saw the split: session and code errors",
                summary=summary,
                evidence=evidence([e for e, _s in hits]),
                remediation=(
                    "These errors stop when the split is fixed (see the findings above). Sticky sessions at the"
                    " load balancer hide a split from most users but not from refresh-token and back-channel"
                    " requests: fix the cluster, do not rely on stickiness."
                ),
                details={"channel": r.analysis.channel, "counts": dict(c), "pods": where},
            )
        )
    return out
