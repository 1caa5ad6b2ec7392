"""R13: JDBC_PING stale rows — JOINs sent to pods that no longer exist, database errors."""

from __future__ import annotations

from jgview.findings import Context, rule
from jgview.findings.r00_common import count, evidence, facts, plist, guarded
from jgview.identity import bare
from jgview.models import Event, Finding, Severity


@rule("R13")
@guarded
def jdbc_ping_stale(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    errs = f.jdbc_errors()
    _live, stale, _single = f.join_problems()
    starting: list[Event] = [o.event for o in f.h.obs if "(starting)" in "\0".join(o.view.members)]
    if not errs and not stale and not starting:
        return []
    pods = sorted({e.pod for e in errs + stale + starting if e.pod})
    bits = []
    if stale:
        targets = sorted({bare(str(e.subject)) for e in stale if e.subject})
        bits.append(f"{count(len(stale), 'JOIN')} sent to {plist(targets, 3)}, which no longer existed")
    dup = [e for e in errs if "duplicate key" in e.text.lower()]
    if dup:
        bits.append(f"{count(len(dup), 'duplicate key error')} on the discovery table")
    reasons = sorted({str(e.detail.get("reason") or "").strip() for e in errs if e not in dup} - {""})
    if reasons:
        bits.append("JDBC_PING errors: " + plist(reasons, 3))
    elif errs and not dup:
        bits.append(f"{count(len(errs), 'JDBC_PING error')}")
    if starting:
        bits.append("a placeholder member `(starting)` in views")
    db_down = any("connection" in r.lower() and ("open" in r.lower() or "database" in r.lower()) for r in reasons)
    summary = (
        f"Discovery through the database is stale or failing on {plist(pods)}: " + "; ".join(bits)
        + " — the discovery table holds rows of pods that are gone."
    )
    remediation = (
        "Clear the discovery table on view changes and keep JGroups current:\n"
        "  - JDBC_PING: remove_all_data_on_view_change=\"true\" (older releases: clear_table_on_view_change=\"true\")"
        " on the JDBC_PING element of the stack;\n"
        "  - Keycloak ≥26 (jdbc-ping stack, KEYCLOAK_JDBC_PING2): upgrade to the latest 26.x release;\n"
        "  - to recover now, with every pod of the cluster stopped, empty the table: DELETE FROM JGROUPS_PING;"
        " (Keycloak's table; a custom stack names it in table_name), then start the pods one by one."
    )
    if db_down:
        remediation = (
            "JGroups could not reach the database: check the JDBC URL, credentials and a NetworkPolicy/firewall"
            " between the pods and the database first.\n" + remediation
        )
    return [
        Finding(
            id="R13-jdbc-ping-stale",
            severity=Severity.WARNING,
            title="JDBC_PING stale rows or database errors",
            summary=summary,
            evidence=evidence(stale[:3] + dup[:2] + [e for e in errs if e not in dup][:2] + starting[:1]),
            remediation=remediation,
            details={"pods": pods, "stale_joins": len(stale), "errors": len(errs)},
        )
    ]
