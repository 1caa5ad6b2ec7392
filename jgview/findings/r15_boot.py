"""R15: discovery misconfigured at boot — the JGroups channel cannot even be created."""

from __future__ import annotations

from collections import defaultdict

from jgview.findings import Context, rule
from jgview.findings.r00_common import (
    guarded,
    count,
    dns_query_env,
    evidence,
    facts,
    headless_service_yaml,
    namespace_hint,
    plist,
)
from jgview.identity import workload_of
from jgview.models import Event, Finding, Severity


@rule("R15")
@guarded
def discovery_config(ctx: Context) -> list[Finding]:
    f = facts(ctx)
    by_wl: dict[str, list[Event]] = defaultdict(list)
    for ev in f.channel_errors():
        by_wl[workload_of(ev.pod or "?")].append(ev)
    out: list[Finding] = []
    for wl, evs in by_wl.items():
        pods = sorted({e.pod for e in evs if e.pod})
        group = f.group_of(pods)
        n = f.nets(group)
        no_query = [e for e in evs if "dns_query" in e.text or "dns_query" in str(e.detail.get("reason") or "")]
        state = f.state(pods)
        if no_query:
            what = "DNS_PING has no dns_query (`dns_query can not be null or empty`)"
        else:
            reason = next((str(e.detail.get("reason") or "").strip(" :") for e in evs if e.detail.get("reason")), "")
            what = "the JGroups stack could not be built" + (f" ({reason[:120]})" if reason else "")
        summary = (
            f"{plist(pods)} could not create the JGroups channel: {what}"
            + (f" — {count(len(evs), 'error line')}" if len(evs) > 1 else "")
        )
        if state == "clustered":
            summary += "; a later run started the channel and clustered."
            sev = Severity.WARNING
        else:
            summary += "; clustering never started."
            sev = Severity.ERROR
        svc = f"{n.workload}-discovery"
        if no_query or "DNS_PING" in f.protocols(group):
            remediation = (
                "Pass the DNS name of a headless discovery Service to DNS_PING (pod template):\n\n"
                + dns_query_env(f, n, svc)
                + "\n(Keycloak Operator: the Keycloak CR sets it for you; a hand-made Deployment must.) The Service:\n\n"
                + headless_service_yaml(n, svc)
                + "\nOr choose a stack that needs no DNS name: --cache-stack=jdbc-ping (Keycloak ≥26)."
                + namespace_hint(n)
            )
        else:
            remediation = (
                "Fix the JGroups stack named in the error (the configuration file or stack name in the ISPN000085 /"
                " ISPN000541 line and its `Caused by:`): a missing file, an unknown protocol or a property without"
                " a value. With --cache-stack=kubernetes, DNS_PING needs -Djgroups.dns.query (JAVA_OPTS_APPEND)."
            )
        out.append(
            Finding(
                id="R15-discovery-config",
                severity=sev,
                title="Discovery misconfigured at boot: no JGroups channel",
                summary=summary,
                evidence=evidence(sorted(evs, key=_telling)),
                remediation=remediation,
                details={"pods": pods, "workload": wl},
            )
        )
    return out


def _telling(ev: Event) -> int:
    """The ISPN000541/085 line first, then the dns_query one, then the rest (stack-trace echoes)."""
    t = ev.text
    if "ISPN000541" in t or "ISPN000085" in t:
        return 0 if t.lstrip().startswith(("ISPN", "org.infinispan")) or " ISPN0005" in t[:200] else 1
    if "dns_query can not be null" in t:
        return 2
    return 3
