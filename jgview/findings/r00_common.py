"""Shared facts and text helpers for the finding rules (this module registers no rule).

Every rule module imports :func:`facts` to get one :class:`Facts` per evaluation: events by kind
and pod, the per-group results, who sat alone in a cluster it created itself while other pods
ran ("lonely" pods: the signature of a discovery failure), what the cluster objects say about
namespace, labels and service account, and the building blocks of remediations (YAML, env).

Nothing here re-reads logs: everything comes from ``ctx.history``, ``ctx.results`` and
``ctx.objects``.
"""

from __future__ import annotations

import bisect

import functools
import heapq
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from jgview.identity import bare, workload_of
from jgview.lazy import LazyPattern
from jgview.models import Event, Evidence, Kind, Verdict
from jgview.struct import Struct, field

MAX_EVIDENCE = 6
"""Evidence lines per finding (the most telling first)."""
INF = float("inf")

# ---------------------------------------------------------------------------------------------
# robustness


def guarded(fn: Any) -> Any:
    """A rule that fails on odd input must not take the analysis down: its error is recorded in
    ``analysis.stats["rule_errors"]`` and the other rules still run. Under pytest or with
    ``JGVIEW_DEBUG`` set the error propagates, so bugs stay visible."""

    @functools.wraps(fn)
    def wrapper(ctx: Any) -> Any:
        try:
            return fn(ctx)
        except Exception as exc:  # noqa: BLE001 - see the docstring
            if os.environ.get("JGVIEW_DEBUG") or "PYTEST_CURRENT_TEST" in os.environ:
                raise
            try:
                ctx.analysis.stats.setdefault("rule_errors", []).append(f"{fn.__name__}: {type(exc).__name__}: {exc}")
            except Exception:  # noqa: BLE001
                pass
            return []

    return wrapper


# ---------------------------------------------------------------------------------------------
# small text helpers


def evid(ev: Event) -> Evidence:
    return Evidence(source=ev.source, line=ev.lineno, text=ev.text, pod=ev.pod, time=ev.time)


def evidence(events: Iterable[Event | Evidence], limit: int = MAX_EVIDENCE) -> list[Evidence]:
    """Evidence lines, first occurrence of each (source, line) only, at most ``limit``."""
    out: list[Evidence] = []
    seen: set[tuple[str, int]] = set()
    for e in events:
        ev = e if isinstance(e, Evidence) else evid(e)
        k = (ev.source, ev.line)
        if k in seen:
            continue
        seen.add(k)
        out.append(ev)
        if len(out) >= limit:
            break
    return out


def spread(events: Iterable[Event]) -> list[Event]:
    """Events reordered round-robin by pod (keeping each pod's order), so that a few evidence
    lines show every pod involved rather than one pod's repeats."""
    by: dict[str | None, list[Event]] = {}
    for ev in events:
        by.setdefault(ev.pod, []).append(ev)
    out: list[Event] = []
    queues = list(by.values())
    while queues:
        for q in queues:
            out.append(q.pop(0))
        queues = [q for q in queues if q]
    return out


def clock(ev: Event | None) -> str:
    """The time of an event as its log printed it (time of day), else from its date."""
    if ev is None:
        return "?"
    if ev.time_of_day:
        return ev.time_of_day.split(",")[0].split(".")[0]
    if ev.time is not None:
        return ev.time.strftime("%H:%M:%S")
    return f"line {ev.lineno}"


def clock_t(f: Facts, t: float | None) -> str:
    """A time key as text (``HH:MM:SS``; ``(+Nd)`` for inferred days of time-only logs)."""
    if t is None or t in (INF, -INF):
        return "?"
    if f.h.relative_time:
        day, sec = divmod(t, 86400.0)
        hh, rem = divmod(int(sec), 3600)
        mm, ss = divmod(rem, 60)
        return f"{hh:02d}:{mm:02d}:{ss:02d}" + (f" (+{int(day)}d)" if day else "")
    from datetime import timezone

    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%H:%M:%S")


def plist(names: Iterable[str], limit: int = 4) -> str:
    """``a, b, c`` or ``a, b, c, d and 3 more``."""
    items = list(dict.fromkeys(names))
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


_PLAIN = LazyPattern(re.compile, r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,252}$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def yq(value: str) -> str:
    """A YAML scalar: plain when safe, double-quoted otherwise."""
    s = str(value)
    if _PLAIN.match(s) and s.lower() not in _YAML_WORDS and not re.fullmatch(r"[0-9.eE+-]+", s):
        return s
    return json.dumps(s)


def yaml_labels(labels: dict[str, str] | None, indent: int, placeholder_pod: str | None = None) -> str:
    pad = " " * indent
    if labels:
        return "\n".join(f"{pad}{yq(k)}: {yq(v)}" for k, v in sorted(labels.items()))
    how = f"kubectl get pod {placeholder_pod} --show-labels" if placeholder_pod else "kubectl get pods --show-labels"
    return f"{pad}<label>: <value>    # REPLACE with the pods' own labels ({how})"


# ---------------------------------------------------------------------------------------------
# facts


class Lonely(Struct):
    """A pod incarnation that created its own cluster and sat alone in it while other pods of
    its cluster group were live in views that did not list it."""

    pod: str
    inc: int
    obs: Any
    """The :class:`jgview.history.Obs` of the created singleton view."""
    created: Event
    """The ``creating cluster as coordinator`` / ``becoming singleton`` line, else the view line."""
    start: float
    end: float
    """When it stopped being alone (INF: still alone at the end of the evidence)."""
    how: str
    """``open`` | ``merge`` | ``joined`` | ``restart`` | ``stopped``"""
    end_event: Event | None
    others: set[str] = field(default_factory=set)
    result: Any = None


class Nets(Struct):
    """Where to apply a fix: namespace, labels, workload, service account (with how we know)."""

    namespace: str | None
    ns_from: str
    labels: dict[str, str] | None
    labels_from: str
    workload: str
    service_account: str | None
    example_pod: str
    port: int

    @property
    def ns(self) -> str:
        return self.namespace or "<namespace>"

    @property
    def ns_note(self) -> str:
        return "" if self.namespace else "    # REPLACE <namespace> with the pods' namespace"


VOLATILE_LABELS = {
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "pod-template-generation",
    "deployment",
    "deploymentconfig.kubernetes.io/name",
    "openshift.io/deployer-pod-for.name",
}
"""Pod labels that differ per pod or per rollout: not usable in a selector for all pods."""

_NS_NAME = LazyPattern(re.compile, r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
"""A Kubernetes namespace name (RFC 1123 label)."""
_NS_IN_PATH = LazyPattern(re.compile, r"(?:^|/)namespaces/([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)/")
_CONNECT_PROBLEM = LazyPattern(
    re.compile,
    r"ConnectException|NoRouteToHost|Connect timed out|SocketTimeoutException|Connection reset|"
    r"connection timed out|Network is unreachable|Host is unreachable",
    re.I,
)


def host_of(addr: str) -> str:
    """``10.1.2.3:7800`` → ``10.1.2.3``; IPv6 printed unbracketed: split on the last colon."""
    a = addr.strip().strip("[]`")
    if a.startswith("/"):
        a = a[1:]
    if a.count(":") == 1 or (a.count(":") > 1 and re.search(r":\d{1,5}$", a)):
        a = a.rsplit(":", 1)[0]
    return a.strip("[]")


def port_of(addr: str) -> int | None:
    m = re.search(r":(\d{1,5})$", addr.strip().strip("`"))
    return int(m.group(1)) if m else None


def is_loopback(host: str) -> bool:
    h = host.lower().split("%")[0]
    return h.startswith("127.") or h in {"::1", "0:0:0:0:0:0:0:1", "localhost"}


def family(host: str) -> str:
    return "IPv6" if ":" in host else "IPv4"


class Facts:
    """What every rule needs, computed once per evaluation."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.h = ctx.history
        self.results: list[Any] = list(ctx.results or [])
        self.objects: dict[str, Any] = ctx.objects or {}
        self.analysis = ctx.analysis
        self.by_kind: dict[Kind, list[Event]] = defaultdict(list)
        self.by_pod: dict[str, list[Event]] = defaultdict(list)
        for ev in self.h.events:
            self.by_kind[ev.kind].append(ev)
            self.by_pod[ev.pod or "?"].append(ev)
        self._pod_of: dict[str, str | None] = {}
        self._vpods: dict[int, tuple[Any, frozenset[str | None]]] = {}
        self._vpods_of: dict[tuple[str, ...], frozenset[str | None]] = {}
        self._lonely: list[Lonely] | None = None
        self._merged_alone: dict[int, dict[str, list[float]]] = {}
        self.results_of: dict[str, list[Any]] = defaultdict(list)
        for r in self.results:
            for p in self.group_pods(r):
                self.results_of[p].append(r)

    # ---- names and times

    def pod_of(self, name: str | None) -> str | None:
        if not name:
            return None
        if name not in self._pod_of:
            p = self.h.pod_of(name)
            if p is None:
                p = self._pod_of_address(name)
            self._pod_of[name] = p
        return self._pod_of[name]

    def _pod_of_address(self, addr: str) -> str | None:
        host = host_of(addr)
        if not re.match(r"^[0-9a-fA-F:.]+$", host) or "." not in host and ":" not in host:
            return None
        for p, ph in self.h.pods.items():
            for inc in ph.incs:
                if any(host_of(a) == host for a in inc.physical):
                    return p
        return None

    def t(self, ev: Event) -> float:
        t = self.h.t(ev)
        return t if t is not None else -INF

    @staticmethod
    def ot(o: Any) -> float:
        return o.t if o.t is not None else -INF

    def contains(self, view: Any, pod: str) -> bool:
        return pod in self.view_pods(view)

    def view_pods(self, view: Any) -> frozenset[str | None]:
        """The pods of a view's members (None for members of no known pod)."""
        hit = self._vpods.get(id(view))
        if hit is None or hit[0] is not view:
            # (each pod's log has its own View of a view all pods logged: the answer is per
            # member list, remembered as such)
            pods = self._vpods_of.get(view.members)
            if pods is None:
                pods = self._vpods_of[view.members] = frozenset(self.pod_of(m) for m in view.members)
            hit = (view, pods)
            self._vpods[id(view)] = hit
        return hit[1]

    def events(self, kinds: Iterable[Kind], pods: Iterable[str] | None = None) -> list[Event]:
        ks = set(kinds)
        if pods is None:
            out = [ev for k in ks for ev in self.by_kind.get(k, [])]
        else:
            ps = set(pods)
            out = [ev for k in ks for ev in self.by_kind.get(k, []) if ev.pod in ps]
        out.sort(key=self.t)
        return out

    # ---- groups, liveness, state

    def group_pods(self, r: Any) -> list[str]:
        pods = set(r.final_views) | set(r.live) | set(r.gone)
        for c in r.analysis.clusters:
            pods.update(c.seen_by)
        return sorted(pods)

    def inc_end(self, pod: str, inc: int, r: Any | None = None) -> float:
        ph = self.h.pods.get(pod)
        if ph is None or inc >= len(ph.incs):
            return INF
        cur = ph.incs[inc]
        if inc < len(ph.incs) - 1:
            cands = [x for x in (cur.end_t, ph.incs[inc + 1].start_t) if x is not None]
            return min(cands) if cands else INF
        if cur.stopped:
            return cur.end_t if cur.end_t is not None else INF
        if r is not None and pod not in r.live and pod in r.gone:
            return cur.end_t if cur.end_t is not None else (ph.last_t if ph.last_t is not None else INF)
        return INF

    def state(self, pods: Iterable[str]) -> str:
        """The worst clustering state of these pods at the end: ``split`` (its cluster group is
        split), ``alone`` (live, alone in its final cluster), ``none`` (no view at all),
        ``clustered`` (in a cluster with others), ``gone`` (not live at the end)."""
        order = ["split", "alone", "none", "clustered", "gone"]
        seen: set[str] = set()
        for p in pods:
            rs = self.results_of.get(p, [])
            if not rs:
                seen.add("none")
                continue
            for r in rs:
                if p not in r.live:
                    seen.add("gone")
                    continue
                clusters = r.analysis.clusters
                cl = next((c for c in clusters if p in c.seen_by), None)
                if r.analysis.verdict is Verdict.SPLIT and (len(clusters) >= 2 or r.degraded_open):
                    seen.add("split")
                elif cl is not None and len(cl.seen_by) <= 1 and cl.size <= 1:
                    seen.add("alone")
                else:
                    seen.add("clustered")
        for s in order:
            if s in seen:
                return s
        return "none"

    def blocks(self, pods: Iterable[str]) -> bool:
        """True when these pods are not (or not all) clustered with others at the end."""
        return self.state(pods) in ("split", "alone", "none")

    def interval_keys(self, iv: Any) -> tuple[float, float]:
        """A split/merge :class:`Interval` as time keys (start, end; INF when still open)."""
        return self._key_of(iv.start, iv.start_text, -INF), self._key_of(iv.end, iv.end_text, INF)

    def _key_of(self, dt: datetime | None, text: str | None, default: float) -> float:
        if not self.h.relative_time and dt is not None:
            return dt.timestamp()
        if text:
            m = re.match(r"(\d{1,2}):(\d{2}):(\d{2})(?:[,.](\d{1,9}))?(?: \(\+(\d+)d\))?", text)
            if m:
                hh, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3))
                frac = float("0." + m.group(4)) if m.group(4) else 0.0
                day = int(m.group(5) or 0)
                return day * 86400.0 + hh * 3600 + mm * 60 + ss + frac
        if dt is not None:
            return dt.timestamp()
        return default

    def lonely_in_interval(self, r: Any, t0: float, t1: float) -> set[str]:
        """Pods of result ``r`` that sat alone in their own created cluster during [t0, t1]."""
        return {lo.pod for lo in self.lonely() if lo.result is r and lo.start <= t1 and lo.end >= t0}

    # ---- what the logs say about discovery

    def protocols(self, pods: Iterable[str] | None = None) -> set[str]:
        """Discovery protocols the logs of ``pods`` (default: all) and the cluster objects name."""
        by_pod = self._protocols_of_pod
        out: set[str] = set()
        for p in (by_pod if pods is None else set(pods)):
            out |= by_pod.get(p, set())
        out |= self._object_protocols()
        return out

    @functools.cached_property
    def _protocols_of_pod(self) -> dict[str | None, set[str]]:
        """Per pod, the protocols its events name (one pass over the events for all queries)."""
        out: dict[str | None, set[str]] = {}
        for ev in self.h.events:
            proto = str(ev.detail.get("protocol") or "")
            lg = ev.logger or ""
            found = out.setdefault(ev.pod, set())
            for name in ("DNS_PING", "KUBE_PING", "JDBC_PING", "TCPPING"):
                if name in proto or name in lg:
                    found.add(name)
            stack = str(ev.detail.get("stack") or "")
            if stack == "kubernetes":
                found.add("DNS_PING")
            elif stack.startswith("jdbc-ping"):
                found.add("JDBC_PING")
        return out

    def _object_protocols(self) -> set[str]:
        out: set[str] = set()
        for k, v in self.pod_env().items():
            s = f"{k}={v}"
            if "dns.query" in s or "dns_query" in s or "DNS_PING" in s or "cache-stack=kubernetes" in s:
                out.add("DNS_PING")
            if "KUBE_PING" in s:
                out.add("KUBE_PING")
            if "jdbc-ping" in s or "JDBC_PING" in s:
                out.add("JDBC_PING")
        return out

    def debug_seen(self, pods: Iterable[str] | None = None) -> bool:
        ps = set(pods) if pods is not None else None
        return any(
            (ev.level or "").upper() in ("DEBUG", "TRACE", "FINE", "FINER", "FINEST")
            for ev in self.h.events
            if ps is None or ev.pod in ps
        )

    @property
    def at_end(self) -> str:
        """Where the evidence ends, in words: the end of the logs, or the ``--until`` time."""
        until = self.ctx.analysis.window[1] if self.ctx is not None else None
        if until is None:
            return "at the end of the logs"
        return "at --until (" + until.strftime("%Y-%m-%d %H:%M:%S") + "Z)"

    @property
    def product(self) -> str | None:
        """``wildfly`` (Keycloak ≤16, WildFly, EAP), ``quarkus`` (Keycloak ≥17), or None."""
        layouts = {(s.layout or "") for s in self.h.sources}
        chans = set(self.h.channels)
        if any("wildfly" in lay or "eap" in lay for lay in layouts) or chans & {"ejb", "ee", "web", "server"}:
            return "wildfly"
        if any("keycloak" in lay for lay in layouts) or "ISPN" in chans:
            return "quarkus"
        return None

    # ---- the lonely-pod signature (R1, R2, and the causes that produce it)

    def lonely(self) -> list[Lonely]:
        if self._lonely is None:
            out: list[Lonely] = []
            for r in self.results:
                out.extend(self._lonely_in(r))
            self._lonely = out
        return self._lonely

    def alone_until_merge_near(self, r: Any, pod: str, t: float, within: float = 1.0) -> bool:
        """Did ``pod`` (of result ``r``) sit alone until a merge ending within ``within`` seconds
        of ``t``? (R11 asks this for the members of each merge, which a large cluster has
        hundreds of: by pod and bisection.)"""
        by_pod = self._merged_alone.get(id(r))
        if by_pod is None:
            by_pod = {}
            for lo in self.lonely():
                if lo.result is r and lo.how == "merge":
                    by_pod.setdefault(lo.pod, []).append(lo.end)
            for ends in by_pod.values():
                ends.sort()
            self._merged_alone[id(r)] = by_pod
        ends = by_pod.get(pod)
        if not ends:
            return False
        i = bisect.bisect_right(ends, t - within)
        return i < len(ends) and ends[i] - t < within

    def lonely_among(self, pods: Iterable[str]) -> list[Lonely]:
        """Lonely entries whose pod, or one of whose other side, is among ``pods``."""
        ps = set(pods)
        return [lo for lo in self.lonely() if lo.pod in ps]

    def group_of(self, pods: Iterable[str]) -> set[str]:
        """These pods and every pod of the cluster groups they belong to."""
        out = set(pods)
        for p in list(out):
            for r in self.results_of.get(p, []):
                out.update(self.group_pods(r))
        return out

    def _created_singleton(self, o: Any) -> bool:
        v = o.view
        if len(v.members) != 1 or v.size != 1:
            return False
        if self.pod_of(v.members[0]) != o.pod:
            return False
        return o.kind == "implied" or v.id == 0

    def _lonely_in(self, r: Any) -> list[Lonely]:
        """The lonely incarnations of one cluster group. Every look-up is by index into the
        channel's observations in time order: the work is the observations, plus per lonely start
        the incarnations current at it and the pods that logged views while it was alone
        (a set of a slice). tests/test_lonely_equivalence.py holds the straightforward version, which
        scanned all later observations for each start (0.44–0.49 s for bench/history_scale.py's
        500 pods; now 0.08–0.10 s)."""
        ch = r.analysis.channel
        pods = set(self.group_pods(r))
        obs = [o for o in self.h.obs if o.channel == ch and o.pod in pods]
        obs.sort(key=self.ot)
        times = [self.ot(o) for o in obs]
        pod_at = [o.pod for o in obs]
        vpods_at = [self.view_pods(o.view) for o in obs]
        by_inc: dict[tuple[str, int], list[int]] = defaultdict(list)
        by_pod: dict[str, list[int]] = defaultdict(list)
        of_list: dict[tuple[str, ...], list[int]] = {}
        """Per member list of more than one member, the observations (indices, in time order) of
        it: every pod logs each view, so there are far fewer lists than observations."""
        multi_with: dict[str | None, list[list[int]]] = defaultdict(list)
        """Per pod, the lists of :data:`of_list` of the views that list it with others."""
        for k, o in enumerate(obs):
            by_inc[(o.pod, o.inc)].append(k)
            by_pod[o.pod].append(k)
            if len(o.view.members) > 1:
                ks = of_list.get(o.view.members)
                if ks is None:
                    ks = of_list[o.view.members] = []
                    for x in vpods_at[k]:
                        multi_with[x].append(ks)
                ks.append(k)
        nxt = [INF] * len(obs)
        """When each observation stopped being its incarnation's current view."""
        for (p, i), ks in by_inc.items():
            end = self.inc_end(p, i, r)
            for a, b in zip(ks, ks[1:]):
                nxt[a] = times[b]
            nxt[ks[-1]] = end
        odd = [k for k, o in enumerate(obs) if not nxt[k] > times[k]
               or (len(o.view.members) <= 1 and not vpods_at[k] <= {o.pod})]
        """Observations of a view current for no time, or alone in a view that names another pod."""

        def later_views(p: str, i: int, cs: Any, inc_end: float, lo: int) -> Iterator[Any]:
            """Views from index ``lo`` on (time order), before ``inc_end``, that list ``p`` with
            someone (not ``cs``, not another incarnation's of ``p``), lazily."""
            # (the views' observations from lo on, merged in time order, read as they are needed)
            tails = (map(ks.__getitem__, range(bisect.bisect_left(ks, lo), len(ks)))
                     for ks in multi_with.get(p, ()))
            for k in heapq.merge(*tails):
                if times[k] >= inc_end:
                    return
                q = obs[k]
                if q is not cs and not (q.pod == p and q.inc != i):
                    yield q

        starts: list[tuple[float, int, tuple[str, int], Any]] = []
        for n, ((p, i), ks) in enumerate(by_inc.items()):
            cs = next((obs[k] for k in ks if self._created_singleton(obs[k])), None)
            if cs is not None:
                starts.append((self.ot(cs), n, (p, i), cs))
        found: dict[int, Lonely] = {}
        current: dict[tuple[str, int], int] = {}
        """While the starts are taken in time order: each incarnation's latest view begun before
        the start (its index)."""
        j = 0
        for t0, n, (p, i), cs in sorted(starts, key=lambda s: (s[0], s[1])):
            while j < len(obs) and times[j] < t0:
                current[(pod_at[j], obs[j].inc)] = j
                j += 1
            inc_end = self.inc_end(p, i, r)
            lo = bisect.bisect_left(times, t0)
            first_later = next(later_views(p, i, cs, inc_end, lo), None)
            # alone until a view lists p with anyone; the other side: pods live meanwhile in views
            # that do not list p: views that were current at t0 (begun before it) ...
            alone_end = self.ot(first_later) if first_later is not None else inc_end
            others = {pod_at[k] for k in current.values() if nxt[k] > t0 and p not in vpods_at[k]}
            others.discard(p)
            # ... and views begun while p was alone
            # (no view of another pod there lists p with others: it would have ended the
            # loneliness; so every pod logging a view there is of the other side, but for the
            # views that are odd: checked one by one)
            hi = bisect.bisect_left(times, alone_end, lo)
            side = set(pod_at[lo:hi])
            side.discard(p)
            for x in {pod_at[k] for k in odd[bisect.bisect_left(odd, lo):bisect.bisect_left(odd, hi)]}:
                ks = by_pod[x]
                if not any(nxt[k] > t0 and p not in vpods_at[k]
                           for k in ks[bisect.bisect_left(ks, lo):bisect.bisect_left(ks, hi)]):
                    side.discard(x)
            others |= side
            if not others:
                continue
            # the split ends when a view lists p together with one of the other side
            t_end, how, end_ev = inc_end, "open", None
            if inc_end != INF:
                ph = self.h.pods[p]
                how = "restart" if i < len(ph.incs) - 1 else "stopped"
            for q in later_views(p, i, cs, inc_end, lo):
                if not others.isdisjoint(self.view_pods(q.view)):
                    t_end, end_ev = self.ot(q), q.event
                    how = "merge" if q.kind == "merged" and len(q.subgroups) >= 2 else "joined"
                    break
            created = self._created_line(p, cs)
            found[n] = Lonely(pod=p, inc=i, obs=cs, created=created, start=t0, end=t_end, how=how,
                              end_event=end_ev, others=others, result=r)
        return [found[n] for n in sorted(found)]

    def _created_line(self, pod: str, cs: Any) -> Event:
        if cs.event.kind in (Kind.CREATED_CLUSTER, Kind.SINGLETON):
            return cs.event
        me = cs.view.creator
        t0 = self.ot(cs)
        best: Event | None = None
        for ev in self.by_pod.get(pod, []):
            if ev.kind in (Kind.CREATED_CLUSTER, Kind.SINGLETON) and (not ev.node or bare(ev.node) == me):
                if best is None or abs(self.t(ev) - t0) < abs(self.t(best) - t0):
                    best = ev
        return best or cs.event

    # ---- causes that produce the lonely signature (each rule reports its own; R1 defers)

    def kube_ping_errors(self, pods: Iterable[str] | None = None) -> list[Event]:
        return [
            ev
            for ev in self.events([Kind.DISCOVERY_ERROR], pods)
            if "KUBE_PING" in str(ev.detail.get("protocol") or "") + (ev.logger or "")
            and "namespace not set" not in str(ev.detail.get("reason") or "") + ev.text
        ]

    def kube_ping_ns_not_set(self, pods: Iterable[str] | None = None) -> list[Event]:
        return [
            ev
            for ev in self.events([Kind.DISCOVERY_ERROR], pods)
            if "namespace not set" in str(ev.detail.get("reason") or "") + ev.text
        ]

    def jdbc_errors(self, pods: Iterable[str] | None = None) -> list[Event]:
        out = []
        for ev in self.events([Kind.DISCOVERY_ERROR], pods):
            proto = str(ev.detail.get("protocol") or "") + (ev.logger or "")
            if "JDBC_PING" in proto or "jgroups_ping" in ev.text.lower():
                out.append(ev)
        return out

    def channel_errors(self, pods: Iterable[str] | None = None) -> list[Event]:
        return self.events([Kind.CHANNEL_ERROR], pods)

    def bind_problems(self, pods: Iterable[str] | None = None) -> list[tuple[Event, str]]:
        out: list[tuple[Event, str]] = []
        for ev in self.events([Kind.BIND_PROBLEM], pods):
            out.append((ev, str(ev.detail.get("reason") or "bind problem")))
        for ev in self.events([Kind.LOCAL_ADDRESS], pods):
            for a in ev.detail.get("physical") or ():
                if is_loopback(host_of(str(a))):
                    out.append((ev, f"bound to loopback {a}"))
                    break
        return out

    def mixed_families(self, pods: Iterable[str]) -> tuple[dict[str, set[str]], list[Event]]:
        fam: dict[str, set[str]] = defaultdict(set)
        evs: dict[str, Event] = {}
        for ev in self.events([Kind.LOCAL_ADDRESS], pods):
            for a in ev.detail.get("physical") or ():
                h = host_of(str(a))
                if not h or is_loopback(h):
                    continue
                fam[family(h)].add(ev.pod or "?")
                evs.setdefault(family(h), ev)
        if len(fam) >= 2:
            return fam, list(evs.values())
        return {}, []

    def different_cluster(self, pods: Iterable[str] | None = None) -> list[Event]:
        return self.events([Kind.DIFFERENT_CLUSTER], pods)

    def version_mismatch(self, pods: Iterable[str] | None = None) -> list[Event]:
        return self.events([Kind.VERSION_MISMATCH], pods)

    def stale_target(self, target: str | None, at: float) -> bool:
        """True when ``target`` names an incarnation that had ended (or was replaced) by ``at``."""
        if not target:
            return False
        name = bare(target)
        p = self.pod_of(name)
        if p is None or p not in self.h.pods:
            return False
        ph = self.h.pods[p]
        for idx, inc in enumerate(ph.incs):
            if inc.name == name:
                end = self.inc_end(p, idx)
                return end != INF and end < at
        # a name the pod no longer uses (Quarkus names change at every restart)
        names = [inc.name for inc in ph.incs if inc.name]
        return bool(names) and name not in names and any(n != name for n in names)

    def join_problems(self, pods: Iterable[str] | None = None) -> tuple[list[Event], list[Event], list[Event]]:
        """(JOIN timeouts to live targets, JOIN timeouts to stale targets, becoming-singleton lines)."""
        live: list[Event] = []
        stale: list[Event] = []
        for ev in self.events([Kind.JOIN_TIMEOUT], pods):
            (stale if self.stale_target(ev.subject, self.t(ev)) else live).append(ev)
        return live, stale, self.events([Kind.SINGLETON], pods)

    def unexplained_singletons(self, single: list[Event], stale: list[Event]) -> list[Event]:
        """``becoming singleton`` lines of pods whose JOINs did not all go to stale targets."""
        stale_pods = {e.pod for e in stale}
        live_pods = {e.pod for e in self.events([Kind.JOIN_TIMEOUT]) if e not in stale}
        return [e for e in single if e.pod not in stale_pods or e.pod in live_pods]

    def send_failures(self, pods: Iterable[str] | None = None) -> list[Event]:
        """Connection failures to peers that were live (sends to departed members are normal)."""
        out: list[Event] = []
        for ev in self.events([Kind.SEND_FAILED, Kind.DISCOVERY_ERROR], pods):
            if ev.kind is Kind.DISCOVERY_ERROR and "DNS_PING" not in str(ev.detail.get("protocol") or ""):
                continue
            reason = str(ev.detail.get("reason") or "") + " " + ev.text
            if not _CONNECT_PROBLEM.search(reason):
                continue
            target = ev.subject
            if target and self.stale_target(target, self.t(ev)):
                continue
            tp = self.pod_of(target)
            if tp is not None and not any(tp in r.live for r in self.results_of.get(tp, [])):
                continue  # the peer left or crashed: failures to reach it are expected
            out.append(ev)
        return out

    def dns_entries(self, pods: Iterable[str] | None = None) -> list[Event]:
        return self.events([Kind.DNS_ENTRIES], pods)

    def pod_ips(self) -> set[str]:
        ips: set[str] = set()
        for ph in self.h.pods.values():
            for inc in ph.incs:
                ips.update(host_of(a) for a in inc.physical)
        for po in self.pod_objects():
            st = po.get("status") or {}
            if isinstance(st, dict):
                if st.get("podIP"):
                    ips.add(str(st["podIP"]))
                for x in st.get("podIPs") or ():
                    if isinstance(x, dict) and x.get("ip"):
                        ips.add(str(x["ip"]))
        return ips

    def dns_verdict(self, pods: Iterable[str]) -> tuple[str, list[Event]]:
        """What DNS_PING's DEBUG lines say: ``vip`` (one entry that is no pod's address), ``empty``
        (no entries), ``pods`` (entries are pod addresses), ``unknown`` (no such lines)."""
        evs = self.dns_entries(pods)
        if not evs:
            return "unknown", []
        ips = self.pod_ips()
        vip: list[Event] = []
        empty: list[Event] = []
        good: list[Event] = []
        for ev in evs:
            entries = [host_of(str(e)) for e in (ev.detail.get("entries") or ())]
            entries = [e for e in entries if e]
            if not entries:
                empty.append(ev)
            elif len(set(entries)) == 1 and (not ips or entries[0] not in ips):
                vip.append(ev)
            else:
                good.append(ev)
        if vip:
            return "vip", vip
        if empty and not good:
            return "empty", empty
        if good:
            return "pods", good
        return "unknown", []

    def causes(self, pods: Iterable[str]) -> dict[str, list[Event]]:
        """Evidence of the failure modes, other than R1, that make pods create their own
        clusters. Keys are rule numbers (``R3`` …); only causes with evidence are returned."""
        ps = set(pods)
        out: dict[str, list[Event]] = {}
        if self.channel_errors(ps):
            out["R15"] = self.channel_errors(ps)
        if self.kube_ping_errors(ps):
            out["R3"] = self.kube_ping_errors(ps)
        if self.kube_ping_ns_not_set(ps):
            out["R4"] = self.kube_ping_ns_not_set(ps)
        elif "KUBE_PING" in self.protocols(ps) and "R3" not in out and "DNS_PING" not in self.protocols(ps):
            out["R4"] = []
        bp = self.bind_problems(ps)
        if bp:
            out["R9"] = [e for e, _ in bp]
        fam, fev = self.mixed_families(ps)
        if fam:
            out.setdefault("R9", []).extend(fev)
        if self.different_cluster(ps):
            out["R5"] = self.different_cluster(ps)
        if self.version_mismatch(ps):
            out["R6"] = self.version_mismatch(ps)
        live, stale, single = self.join_problems(ps)
        single = self.unexplained_singletons(single, stale)
        sends = self.send_failures(ps)
        if live or single or (sends and self.lonely_among(ps)):
            out["R7"] = live + single + (sends if self.lonely_among(ps) else [])
        if stale or self.jdbc_errors(ps):
            out["R13"] = stale + self.jdbc_errors(ps)
        dv, dev = self.dns_verdict(ps)
        if dv == "pods" and not out and any(lo.how == "open" for lo in self.lonely_among(ps)):
            out["R7"] = dev  # DNS lists the pods, yet they stay apart: they cannot talk
        return out

    # ---- cluster objects: namespace, labels, service account, env

    def pod_objects(self, pods: Iterable[str] | None = None) -> list[dict[str, Any]]:
        items = self.objects.get("pods") or []
        if not isinstance(items, list):
            return []
        want = set(pods) if pods is not None else None
        out = []
        for po in items:
            if not isinstance(po, dict):
                continue
            md = po.get("metadata") or {}
            if not isinstance(md, dict):
                continue
            if want is None or md.get("name") in want:
                out.append(po)
        return out

    def pod_env(self, pods: Iterable[str] | None = None) -> dict[str, str]:
        env: dict[str, str] = {}
        for po in self.pod_objects(pods):
            spec = po.get("spec") or {}
            for c in (spec.get("containers") or []) if isinstance(spec, dict) else []:
                if not isinstance(c, dict):
                    continue
                for e in c.get("env") or []:
                    if isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("value"), str):
                        env.setdefault(e["name"], e["value"])
                args = [str(a) for a in (c.get("args") or []) + (c.get("command") or []) if isinstance(a, (str, int))]
                if args:
                    env.setdefault("<args>", " ".join(args))
        return env

    def dns_query(self, pods: Iterable[str] | None = None) -> str | None:
        """The DNS name DNS_PING asks, from the pods' configuration (objects: env, args, mounted
        ConfigMaps — :func:`jgview.objects.dns_queries`) or the logs (the jboss/keycloak image
        prints ``Setting JGroups discovery to dns.DNS_PING with properties {dns_query=>…}``)."""
        from jgview.objects import dns_queries

        for po in self.pod_objects(pods):
            qs = dns_queries(po, self.objects)
            if qs:
                return qs[0].query
        return self._property("dns_query", pods)

    def _property(self, name: str, pods: Iterable[str] | None = None) -> str | None:
        """A discovery property of the image's discovery line (the events stage splits its
        ``{k=>v, …}`` into the event's details)."""
        ps = set(pods) if pods is not None else None
        for ev in self.by_kind.get(Kind.DISCOVERY_TARGETS, []):
            if ps is not None and ev.pod not in ps:
                continue
            v = ev.detail.get(name)
            if isinstance(v, str) and v.strip():
                return v.strip()
        return None

    def service(self, name: str) -> dict[str, Any] | None:
        for s in self.objects.get("services") or []:
            if isinstance(s, dict) and isinstance(s.get("metadata"), dict) and s["metadata"].get("name") == name:
                return s
        return None

    def nets(self, pods: Iterable[str]) -> Nets:
        ps = sorted(set(pods))
        example = ps[0] if ps else "<pod>"
        workload = workload_of(example) if ps else "<app>"
        ns, ns_from = self._namespace(ps)
        labels, labels_from = self._labels(ps)
        sa = None
        pobjs = self.pod_objects(ps)
        for po in pobjs:
            spec = po.get("spec") or {}
            if isinstance(spec, dict):
                sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or sa
        if sa is None and pobjs:
            sa = "default"
        return Nets(
            namespace=ns, ns_from=ns_from, labels=labels, labels_from=labels_from, workload=workload,
            service_account=sa, example_pod=example, port=self.port(ps),
        )

    def port(self, pods: Iterable[str]) -> int:
        ps = set(pods)
        for p in ps:
            ph = self.h.pods.get(p)
            if not ph:
                continue
            for inc in ph.incs:
                for a in inc.physical:
                    pt = port_of(a)
                    if pt:
                        return pt
        return 7600 if self.product == "wildfly" else 7800

    def _namespace(self, pods: list[str]) -> tuple[str | None, str]:
        ns, how = self._namespace_raw(pods)
        if ns is not None and not _NS_NAME.fullmatch(ns):
            return None, ""
        return ns, how

    def _namespace_raw(self, pods: list[str]) -> tuple[str | None, str]:
        for po in self.pod_objects(pods):
            ns = (po.get("metadata") or {}).get("namespace")
            if ns:
                return str(ns), "the pod objects"
        for p in pods:
            ph = self.h.pods.get(p)
            if ph is not None and getattr(ph, "namespace", None):
                return str(ph.namespace), "the log source"
        ps = set(pods)
        for ev in self.h.events:
            if ev.pod in ps and ev.detail.get("namespace"):
                ns = str(ev.detail["namespace"])
                if ns and ns != "default" and _NS_NAME.fullmatch(ns):
                    return ns, "the KUBE_PING lines"
        q = self.dns_query(pods)
        m = re.match(r"^[a-z0-9-]+\.([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.svc(\.|$)|$)", q or "")
        if m:
            return m.group(1), "the dns_query"
        kns = self._property("namespace", pods)
        if kns and kns != "default" and re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", kns):
            return kns, "the KUBE_PING properties"
        for p in pods:
            ph = self.h.pods.get(p)
            for src in (ph.sources if ph else []):
                m = _NS_IN_PATH.search(src)
                if m:
                    return m.group(1), "the bundle path"
        return None, ""

    def _labels(self, pods: list[str]) -> tuple[dict[str, str] | None, str]:
        pobjs = self.pod_objects(pods)
        label_sets = []
        for po in pobjs:
            lb = (po.get("metadata") or {}).get("labels")
            if isinstance(lb, dict):
                label_sets.append({str(k): str(v) for k, v in lb.items()})
        if label_sets:
            for kind in ("statefulsets", "deployments", "deploymentconfigs", "replicationcontrollers", "replicasets"):
                for w in self.objects.get(kind) or []:
                    if not isinstance(w, dict):
                        continue
                    sel = (w.get("spec") or {}).get("selector") if isinstance(w.get("spec"), dict) else None
                    if isinstance(sel, dict) and isinstance(sel.get("matchLabels"), dict):
                        sel = sel["matchLabels"]
                    if not isinstance(sel, dict) or not sel or not all(isinstance(v, str) for v in sel.values()):
                        continue
                    sel = {k: v for k, v in sel.items() if k not in VOLATILE_LABELS}
                    if sel and all(all(ls.get(k) == v for k, v in sel.items()) for ls in label_sets):
                        name = (w.get("metadata") or {}).get("name", kind)
                        return dict(sel), f"the selector of {kind[:-1]} {name}"
            common = dict(label_sets[0])
            for ls in label_sets[1:]:
                common = {k: v for k, v in common.items() if ls.get(k) == v}
            common = {k: v for k, v in common.items() if k not in VOLATILE_LABELS}
            if common:
                return common, "the labels the pods share"
        ps = set(pods)
        raws: list[Any] = [ev.detail["labels"] for ev in self.h.events if ev.pod in ps and ev.detail.get("labels")]
        prop = self._property("labels", pods)
        if prop:
            raws.append(prop)
        for raw in raws:
            text = ",".join(map(str, raw)) if isinstance(raw, (list, tuple)) else str(raw)
            pairs = dict(
                kv.split("=", 1) for kv in (x.strip() for x in text.split(",")) if "=" in kv and kv.split("=", 1)[0]
            )
            if pairs:
                return pairs, "the KUBE_PING labels"
        return None, ""


def facts(ctx: Any) -> Facts:
    """The :class:`Facts` of this evaluation (computed once, kept on the context)."""
    f = ctx.facts
    if f is None or f.ctx is not ctx:
        f = ctx.facts = Facts(ctx)
    return f


# ---------------------------------------------------------------------------------------------
# remediation building blocks


def headless_service_yaml(n: Nets, name: str | None = None) -> str:
    svc = name or f"{n.workload}-discovery"
    return (
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        f"  name: {yq(svc)}\n"
        f"  namespace: {n.ns}{n.ns_note}\n"
        "spec:\n"
        "  clusterIP: None                  # headless: DNS answers with every pod's IP\n"
        "  publishNotReadyAddresses: true   # starting pods must be found before they are Ready\n"
        "  selector:\n"
        f"{yaml_labels(n.labels, 4, n.example_pod)}\n"
        "  ports:\n"
        "    - name: jgroups\n"
        f"      port: {n.port}\n"
        f"      targetPort: {n.port}\n"
    )


def dns_query_env(f: Facts, n: Nets, svc: str | None = None) -> str:
    query = f"{svc or n.workload + '-discovery'}.{n.ns}.svc.cluster.local"
    wildfly = (
        "  # Keycloak ≤16 / WildFly images (jboss/keycloak):\n"
        "  - name: JGROUPS_DISCOVERY_PROTOCOL\n"
        "    value: dns.DNS_PING\n"
        "  - name: JGROUPS_DISCOVERY_PROPERTIES\n"
        f"    value: dns_query={query}\n"
    )
    quarkus = (
        "  # Keycloak ≥17 (or --cache-stack=kubernetes on the command line):\n"
        "  - name: KC_CACHE_STACK\n"
        "    value: kubernetes\n"
        "  - name: JAVA_OPTS_APPEND\n"
        f"    value: -Djgroups.dns.query={query}\n"
    )
    prod = f.product
    body = wildfly if prod == "wildfly" else quarkus if prod == "quarkus" else quarkus + wildfly
    return "env:\n" + body


def namespace_hint(n: Nets) -> str:
    if n.namespace:
        return ""
    return "\n(<namespace> is a placeholder: the logs do not say which namespace the pods run in.)"


def debug_advice(categories: Iterable[str], product: str | None = None) -> str:
    """How to raise the named logger categories to DEBUG: in the product the logs come from
    (``wildfly`` or ``quarkus``, see :meth:`Facts.product`), else in each product."""
    cats = list(dict.fromkeys(categories))
    only = ",".join(f"{c}:DEBUG" for c in cats)
    keycloak = (
        "\n  Keycloak ≥17: --log-level=INFO,org.jgroups:DEBUG (env KC_LOG_LEVEL=INFO,org.jgroups:DEBUG)"
        + (f"\n    or only these: --log-level=INFO,{only}" if cats else "")
    )
    wildfly = "\n  WildFly/EAP (Keycloak ≤16): jboss-cli.sh -c '/subsystem=logging/logger=org.jgroups:add(level=DEBUG)'"
    ispn = "\n  Infinispan Server: <Logger name=\"org.jgroups\" level=\"DEBUG\"/> in log4j2.xml"
    how = wildfly if product == "wildfly" else keycloak if product == "quarkus" else keycloak + wildfly + ispn
    return "Raise these logger categories to DEBUG: " + ", ".join(cats) + "." + how


SPLIT_CATEGORIES = (
    "org.jgroups.protocols.pbcast.GMS",
    "org.jgroups.protocols.MERGE3",
    "org.jgroups.protocols.FD_ALL3",
    "org.jgroups.protocols.FD_SOCK2",
    "org.jgroups.protocols.VERIFY_SUSPECT2",
)
