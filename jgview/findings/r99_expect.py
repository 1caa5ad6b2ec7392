"""``--expect N`` (or a bundle's replica count) not met: say so, with what the logs do show."""

from __future__ import annotations

from jgview.findings import Context, rule
from jgview.models import Evidence, Finding, Severity


@rule("expect")
def expected_pods_missing(ctx: Context) -> list[Finding]:
    if not ctx.expect:
        return []
    out: list[Finding] = []
    for r in ctx.results:
        ch = r.analysis
        if not ch.clusters:
            continue
        largest = max(ch.clusters, key=lambda c: len(c.pods))
        if len(largest.pods) >= ctx.expect:
            continue
        seen = sorted({p for c in ch.clusters for p in c.seen_by})
        missing = ctx.expect - len(largest.pods)
        out.append(
            Finding(
                id="expect-not-met",
                severity=Severity.ERROR,
                title="Fewer pods in the cluster than expected",
                summary=(
                    f"The largest cluster on channel {ch.channel} has {len(largest.pods)} pod(s) "
                    f"({', '.join(largest.pods[:6])}) but {ctx.expect} are expected; {missing} "
                    f"{'is' if missing == 1 else 'are'} missing from it (logs read for {len(seen)} pod(s): {', '.join(seen[:6])})."
                ),
                evidence=[
                    Evidence(source="analysis", line=0, text=f"{c.view_id} ({c.size}) {', '.join(c.members[:10])}")
                    for c in ch.clusters[:4]
                ],
                remediation=(
                    "Read every pod's log from its start (kubectl logs -l <selector> --prefix --timestamps "
                    "--tail=-1, and --previous for restarted containers), or run `jgview collect -l <selector>`: "
                    "a pod whose log is missing cannot be placed. If all logs are there, the other pods never "
                    "joined: see the other findings for why."
                ),
                details={"expected": ctx.expect, "largest": len(largest.pods), "channel": ch.channel},
            )
        )
    return out
