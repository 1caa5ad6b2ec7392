"""The history stage: who saw which view, when — the only stage that holds state.

Input: the events of every source, grouped by source. Output: a :class:`History` with

* pods and their identities (JGroups names, UUIDs, physical addresses, incarnations);
* every view observation (printed or implied) keyed by pod, incarnation and channel, with
  a time key that orders events across pods;
* Infinispan partition-handling facts (lost members, availability modes, recoveries).

How the evidence is read is DESIGN.md's "How the evidence is read": incarnations begin at a new
channel start / address / name; ``creating cluster as coordinator`` implies ``[X|0] (1) [X]``; a
channel start with no view implies "joined, view unknown"; duplicate lines collapse.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from datetime import datetime

from jgview.identity import bare, bare_all, is_uuid, name_matches_pod, pod_from_node
from jgview.models import Event, Incarnation, Kind, SourceInfo, View
from jgview.struct import Struct, field

DAY = 86400.0
RESTART_GAP = 30.0
"""Seconds: the same channel started again later than this in one log is a restart."""


class SourceEvents(Struct):
    """The events of one source, with what is known of its pod."""

    info: SourceInfo
    events: list[Event]
    pod_hint: str | None = None
    strong_hint: bool = False
    """True when the hint is authoritative (``--pod``, a collect bundle), False for file names."""
    previous: bool = False


class Obs(Struct):
    """One view observation: pod P (incarnation i) installed view V on channel C at time t."""

    pod: str
    inc: int
    channel: str
    view: View
    kind: str  # "view" | "merged" | "implied" | "dropped" (view printed in JGRP000011)
    t: float | None
    event: Event
    subgroups: tuple[View, ...] = ()

    @property
    def key(self) -> tuple[str, int]:
        return (self.view.creator, self.view.id)


class IncState(Struct):
    index: int
    pod: str
    source: str
    name: str | None = None
    uuid: str | None = None
    physical: list[str] = field(default_factory=list)
    channels: set[str] = field(default_factory=set)
    stopped_channels: set[str] = field(default_factory=set)
    stopped: bool = False
    created: bool = False
    has_views: bool = False
    start_t: float | None = None
    end_t: float | None = None
    start: datetime | None = None
    end: datetime | None = None
    first_line: int | None = None
    seen_keys: set[tuple[str, str, int]] = field(default_factory=set)
    channel_start_t: dict[str, float] = field(default_factory=dict)
    stop_t: float | None = None
    """Time key of the stop (ISPN000080 / shutdown) that ended this incarnation."""
    last_view_id: dict[str, int] = field(default_factory=dict)

    def to_model(self) -> Incarnation:
        return Incarnation(
            index=self.index,
            name=self.name,
            uuid=self.uuid,
            physical=list(self.physical),
            start=self.start,
            end=self.end,
            stopped=self.stopped,
            source=self.source,
            line=self.first_line,
        )


class PodHist(Struct):
    name: str
    incs: list[IncState] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    first_time: datetime | None = None
    last_time: datetime | None = None
    last_t: float | None = None
    """Time key of the last line of this pod's newest source (its log's end)."""
    namespace: str | None = None

    @property
    def current(self) -> IncState | None:
        return self.incs[-1] if self.incs else None


class History(Struct):
    pods: dict[str, PodHist]
    obs: list[Obs]
    events: list[Event]
    """All events in time order (deduplicated), each with ``pod`` set."""
    tkey: dict[int, float]
    """id(event) → time key (seconds); absent when the event has no time at all."""
    name_to_pod: dict[str, str]
    uuid_to_name: dict[str, str]
    channels: list[str]
    relative_time: bool
    """True when time keys are times of day (no dates known)."""
    warnings: list[str]
    duplicates: int
    sources: list[SourceInfo]

    _pod_cache: dict[str, str | None] = field(default_factory=dict)
    _view_pods: dict[int, tuple[View, frozenset[str]]] = field(default_factory=dict)
    _view_pods_of: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)

    def pod_of(self, name: str) -> str | None:
        """The pod a JGroups name belongs to (cached: called for every member of every view)."""
        try:
            return self._pod_cache[name]
        except KeyError:
            pass
        b = bare(name)
        pod = self.name_to_pod.get(b)
        if pod is None:
            pod = next((p for p in self.pods if name_matches_pod(b, p)), None)
        self._pod_cache[name] = pod
        return pod

    def view_pods(self, v: View) -> frozenset[str]:
        """The pods among a view's printed members (cached per view object)."""
        hit = self._view_pods.get(id(v))
        if hit is not None and hit[0] is v:
            return hit[1]
        # (each pod's log has its own View of a view all pods logged: the answer is per member
        # list, remembered as such)
        pods = self._view_pods_of.get(v.members)
        if pods is None:
            pods = self._view_pods_of[v.members] = frozenset(
                p for p in (self.pod_of(m) for m in v.members) if p is not None)
        self._view_pods[id(v)] = (v, pods)
        return pods

    def t(self, ev: Event) -> float | None:
        return self.tkey.get(id(ev))


# ---------------------------------------------------------------------------------------------


def _tod_seconds(tod: str | None) -> float | None:
    if not tod:
        return None
    try:
        hms, _, frac = tod.replace(".", ",").partition(",")
        h, m, s = (int(x) for x in hms.split(":"))
        return h * 3600 + m * 60 + s + (float("0." + frac) if frac.isdigit() else 0.0)
    except ValueError:
        return None


_SELF_KINDS = {Kind.CREATED_CLUSTER, Kind.LOCAL_ADDRESS, Kind.SINGLETON, Kind.JOIN_TIMEOUT}


def assign_pods(src: SourceEvents, warnings: list[str]) -> None:
    """Give every event of a source its pod (DESIGN: prefix, file name, address lines, --pod).

    A file-name hint is weak: it is used when the JGroups names the log prints belong to one
    pod (or there are none). A stream whose names belong to several pods, without a prefix to
    tell them apart, is split by those names — with a warning — and a line that names no node
    goes to the pod of the nearest line that does (a ``cat`` of several logs: a pod's boot lines
    come just before its first named line)."""
    evs = src.events
    if all(ev.pod for ev in evs):
        return
    named = [(ev.lineno, bare(ev.node)) for ev in evs if ev.node and not ev.pod]
    if not named:
        named = [(ev.lineno, bare(ev.subject)) for ev in evs if ev.kind is Kind.NODE_NAME and ev.subject and not ev.pod]
    derived = list(dict.fromkeys(pod_from_node(n) for _, n in named))
    hint = src.pod_hint
    if hint and (src.strong_hint or not named or all(name_matches_pod(n, hint) for _, n in named)):
        for ev in evs:
            if not ev.pod:
                ev.pod = hint
        return
    if len(derived) == 1 and not (hint and src.strong_hint):
        for ev in evs:
            if not ev.pod:
                ev.pod = derived[0]
        return
    if not derived:
        fallback = hint or _stem_of_source(src.info.name)
        for ev in evs:
            if not ev.pod:
                ev.pod = fallback
        return
    warnings.append(
        f"{src.info.name}: one stream mixes several pods ({', '.join(derived[:5])}"
        f"{', …' if len(derived) > 5 else ''}) without a prefix to tell them apart; use "
        "`kubectl logs --prefix` or one file per pod — lines are attributed by the JGroups names they print"
    )
    named_evs = [ev for ev in evs if ev.node and not ev.pod]
    lines = [ev.lineno for ev in named_evs]
    pods_at = [pod_from_node(ev.node) for ev in named_evs]  # type: ignore[arg-type]
    clock = [_ev_seconds(ev) for ev in named_evs]
    for ev in evs:
        if ev.pod:
            continue
        if ev.node:
            ev.pod = pod_from_node(ev.node)
            continue
        i = bisect.bisect_left(lines, ev.lineno)
        nxt = i if i < len(lines) else None
        prv = i - 1 if i > 0 else None
        mine = _ev_seconds(ev)
        if nxt is None:
            ev.pod = pods_at[prv]  # type: ignore[index]
        elif prv is None:
            ev.pod = pods_at[nxt]
        elif mine is not None and clock[prv] is not None and mine < clock[prv]:  # type: ignore[operator]
            ev.pod = pods_at[nxt]  # time went back: the next log of a concatenation has begun
        elif lines[nxt] - ev.lineno <= ev.lineno - lines[prv]:
            ev.pod = pods_at[nxt]
        else:
            ev.pod = pods_at[prv]


def _ev_seconds(ev: Event) -> float | None:
    if ev.time is not None:
        return ev.time.timestamp()
    return _tod_seconds(ev.time_of_day)


def _stem_of_source(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    for suffix in (".gz", ".log", ".txt", ".json", ".jsonl"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base or name


class _Clock:
    """Time keys for one source: absolute seconds, or times of day with midnight rollover."""

    __slots__ = ("day", "last_tod")

    def __init__(self) -> None:
        self.day = 0
        self.last_tod: float | None = None

    def key(self, ev: Event, relative: bool) -> float | None:
        if not relative and ev.time is not None:
            return ev.time.timestamp()
        tod = _tod_seconds(ev.time_of_day)
        if tod is None and ev.time is not None:
            tt = ev.time
            tod = tt.hour * 3600 + tt.minute * 60 + tt.second + tt.microsecond / 1e6
        if tod is None:
            return None
        if self.last_tod is not None and tod < self.last_tod - 3600:
            self.day += 1
        self.last_tod = tod
        return self.day * DAY + tod


def build(sources: list[SourceEvents]) -> History:
    warnings: list[str] = []
    for src in sources:
        assign_pods(src, warnings)

    all_events = [ev for src in sources for ev in src.events]
    relative = bool(all_events) and any(ev.time is None and ev.time_of_day for ev in all_events)

    # ---- time keys, per source
    tkey: dict[int, float] = {}
    src_end: dict[int, float | None] = {}
    # time-only logs without dates: a log that begins more than 12 hours "before" the latest
    # first line of the others began after midnight (pods started around midnight)
    first_tods: dict[int, float] = {}
    if relative:
        for i, src in enumerate(sources):
            for ev in src.events:
                tod = _tod_seconds(ev.time_of_day)
                if tod is not None:
                    first_tods[i] = tod
                    break
    latest_first = max(first_tods.values(), default=None)
    for i, src in enumerate(sources):
        clock = _Clock()
        if latest_first is not None and i in first_tods and latest_first - first_tods[i] > DAY / 2:
            clock.day = 1
        last: float | None = None
        for ev in src.events:
            k = clock.key(ev, relative)
            if k is None:
                k = last
            if k is not None:
                tkey[id(ev)] = k
                last = k
        end = last
        if not relative and src.info.last_time is not None:
            end = max(end or 0.0, src.info.last_time.timestamp())
        src_end[i] = end

    # ---- pods and their sources in order (previous logs first)
    pods: dict[str, PodHist] = {}
    by_pod: dict[str, list[tuple[int, SourceEvents]]] = defaultdict(list)
    for i, src in enumerate(sources):
        seen: list[str] = []
        for ev in src.events:
            if ev.pod not in seen:
                seen.append(ev.pod)  # type: ignore[arg-type]
        if not seen and src.pod_hint and src.info.lines:
            seen.append(src.pod_hint)
        for p in seen:
            by_pod[p].append((i, src))
    pods_of_source: dict[int, set[str]] = defaultdict(set)
    for p, lst in by_pod.items():
        lst.sort(key=lambda it: (not it[1].previous, _first_key(it[1], tkey), it[1].info.name))
        for i, _src in lst:
            pods_of_source[i].add(p)

    name_to_pod: dict[str, str] = {}
    uuid_to_name: dict[str, str] = {}
    obs: list[Obs] = []
    duplicates = 0
    channels_seen: Counter[str] = Counter()
    ordered: list[Event] = []

    for p, lst in by_pod.items():
        ph = pods.setdefault(p, PodHist(name=p))
        for i, src in lst:
            ph.sources.append(src.info.name)
            first, last = src.info.first_time, src.info.last_time
            if len(pods_of_source[i]) > 1:
                # a stream of several pods: the source's span is not this pod's; its own lines
                # (the membership events) are what this pod is known to have logged
                times = [ev.time for ev in src.events if ev.pod == p and ev.time is not None]
                first, last = (min(times), max(times)) if times else (None, None)
            if first and (ph.first_time is None or first < ph.first_time):
                ph.first_time = first
            if last and (ph.last_time is None or last > ph.last_time):
                ph.last_time = last
            # a new container run (another source of the same pod) is a new incarnation
            if ph.incs and (ph.incs[-1].has_views or ph.incs[-1].channels or ph.incs[-1].created):
                ph.incs[-1].end_t = ph.incs[-1].end_t or src_end.get(i)
            new_source = True
            for ev in src.events:
                if ev.pod != p:
                    continue
                t = tkey.get(id(ev))
                inc = ph.current
                if new_source or inc is None:
                    inc = _new_inc(ph, src, ev, t, keep_if_empty=True)
                    new_source = False
                inc = _maybe_new_incarnation(ph, inc, src, ev, t)
                dup = _apply(ph, inc, ev, t, obs, name_to_pod, uuid_to_name, channels_seen)
                if dup:
                    duplicates += 1
                    continue
                ph.events.append(ev)
                ordered.append(ev)
                if t is not None:
                    inc.end_t = t if inc.end_t is None or t > inc.end_t else inc.end_t
                    if inc.start_t is None:
                        inc.start_t = t
                if ev.time is not None:
                    if inc.start is None:
                        inc.start = ev.time
                    inc.end = ev.time
            end = src_end.get(i)
            if ph.incs and end is not None:
                ph.incs[-1].end_t = max(ph.incs[-1].end_t or end, end)
                ph.last_t = max(ph.last_t or end, end)
            if ph.incs and src.info.last_time is not None:
                inc = ph.incs[-1]
                if inc.end is None or src.info.last_time > inc.end:
                    inc.end = src.info.last_time
        # drop empty incarnations (a source with no identity events before its first event)
        ph.incs = [inc for inc in ph.incs if inc.first_line is not None] or ph.incs[:1]
        for n, inc in enumerate(ph.incs):
            inc.index = n

    # names of the pods themselves, for member-name lookup
    for p, ph in pods.items():
        for n in ph.names:
            name_to_pod.setdefault(bare(n), p)

    # resolve UUID members to names where a local_addr line said which
    if uuid_to_name:
        obs = [_resolve_obs(o, uuid_to_name) for o in obs]

    # channel of GMS lines that name none: the pod's only channel, else the only channel
    all_channels = [c for c in channels_seen if c]
    own_channels: dict[str, set[str]] = defaultdict(set)
    for o in obs:
        if o.channel:
            own_channels[o.pod].add(o.channel)
    for o in obs:
        if o.channel == "":
            own = sorted(own_channels.get(o.pod, ()))
            if len(own) == 1:
                o.channel = own[0]
            elif len(all_channels) == 1:
                o.channel = all_channels[0]
            else:
                o.channel = _pod_cluster_name(pods[o.pod]) or "(unnamed)"
    # collapse implied views that a printed view of the same incarnation repeats
    seen_keys: set[tuple[str, int, str, str, int]] = set()
    deduped: list[Obs] = []
    for o in sorted(obs, key=lambda o: (o.kind == "implied",)):
        k = (o.pod, o.inc, o.channel, o.view.creator, o.view.id)
        if k in seen_keys:
            continue
        seen_keys.add(k)
        deduped.append(o)
    obs = deduped
    ordered.sort(key=lambda ev: (tkey.get(id(ev), float("-inf")),))
    obs.sort(key=lambda o: (o.t if o.t is not None else float("-inf"), o.view.id))
    channels = sorted({o.channel for o in obs} | set(all_channels))
    return History(
        pods=pods,
        obs=obs,
        events=ordered,
        tkey=tkey,
        name_to_pod=name_to_pod,
        uuid_to_name=uuid_to_name,
        channels=channels,
        relative_time=relative,
        warnings=warnings,
        duplicates=duplicates,
        sources=[s.info for s in sources],
    )


def _pod_cluster_name(ph: PodHist) -> str | None:
    for ev in ph.events:
        if ev.kind is Kind.LOCAL_ADDRESS and ev.channel:
            return ev.channel
    return None


def _first_key(src: SourceEvents, tkey: dict[int, float]) -> float:
    for ev in src.events:
        k = tkey.get(id(ev))
        if k is not None:
            return k
    return float("inf")


def _new_inc(ph: PodHist, src: SourceEvents, ev: Event, t: float | None, keep_if_empty: bool = False) -> IncState:
    cur = ph.current
    if keep_if_empty and cur is not None and cur.first_line is None:
        cur.source = src.info.name
        return cur
    if cur is not None and not cur.stopped and cur.end_t is None:
        cur.end_t = t
    inc = IncState(index=len(ph.incs), pod=ph.name, source=src.info.name)
    ph.incs.append(inc)
    return inc


def _maybe_new_incarnation(ph: PodHist, inc: IncState, src: SourceEvents, ev: Event, t: float | None) -> IncState:
    k = ev.kind
    new = False
    if k is Kind.CHANNEL_START:
        ch = ev.channel or ""
        # WildFly logs ISPN000078 once per cache container: a repeat soon after is the same run
        last = inc.channel_start_t.get(ch)
        new = inc.stopped or (ch in inc.channels and last is not None and t is not None and t - last > RESTART_GAP)
    elif k is Kind.CREATED_CLUSTER:
        name = bare(ev.node) if ev.node else None
        new = inc.stopped or (inc.created and inc.has_views) or bool(inc.name and name and name != inc.name)
    elif k is Kind.LOCAL_ADDRESS:
        name = bare(ev.subject or ev.node or "") or None
        uuid = ev.detail.get("uuid")
        new = bool(inc.name and name and name != inc.name and not is_uuid(name)) or bool(
            inc.uuid and uuid and uuid != inc.uuid
        )
        if inc.stopped:
            new = True
    if new and inc.first_line is not None:
        inc.end_t = inc.end_t if inc.end_t is not None else t
        return _new_inc(ph, src, ev, t)
    return inc


def _apply(
    ph: PodHist,
    inc: IncState,
    ev: Event,
    t: float | None,
    obs: list[Obs],
    name_to_pod: dict[str, str],
    uuid_to_name: dict[str, str],
    channels_seen: Counter[str],
) -> bool:
    """Fold one event into the pod's state. Returns True when it is a duplicate to drop."""
    k = ev.kind
    if inc.first_line is None:
        inc.first_line = ev.lineno
    if ev.channel:
        channels_seen[ev.channel] += 1
    if k is Kind.CHANNEL_START:
        inc.channels.add(ev.channel or "")
        if t is not None:
            inc.channel_start_t[ev.channel or ""] = t
    elif k is Kind.CHANNEL_STOP and not (inc.channels or inc.created or inc.has_views or inc.name):
        pass  # a stop before anything started (e.g. the image's embedded CLI server) says nothing
    elif k is Kind.CHANNEL_STOP:
        ch = ev.channel or ""
        inc.stopped_channels.add(ch)
        if not inc.channels or inc.stopped_channels >= inc.channels or ev.detail.get("shutdown"):
            if not inc.stopped:
                inc.stop_t = t
            inc.stopped = True
    elif k is Kind.LOCAL_ADDRESS:
        name = bare(ev.subject or ev.node or "")
        uuid = ev.detail.get("uuid")
        if name and not is_uuid(name):
            inc.name = name
            ph.names.add(name)
            name_to_pod[name] = ph.name
            if uuid:
                uuid_to_name[uuid] = name
        elif name and is_uuid(name):
            inc.uuid = name
        if uuid:
            inc.uuid = uuid
        for addr in ev.detail.get("physical") or ():
            if addr not in inc.physical:
                inc.physical.append(addr)
    elif k is Kind.NODE_NAME and ev.subject:
        ph.names.add(bare(ev.subject))
    if ev.node and k in _SELF_KINDS and k is not Kind.LOCAL_ADDRESS:
        name = bare(ev.node)
        ph.names.add(name)
        if inc.name is None:
            inc.name = name

    view: View | None = None
    kind = ""
    subgroups: tuple[View, ...] = ()
    if k is Kind.VIEW and ev.view:
        view, kind = ev.view, "view"
    elif k is Kind.MERGED_VIEW and ev.view:
        view, kind, subgroups = ev.view, "merged", ev.subgroups
    elif k is Kind.CREATED_CLUSTER:
        inc.created = True
        if ev.view:
            view, kind = ev.view, "implied"
        elif ev.node:
            me = bare(ev.node)
            view, kind = View(creator=me, id=0, members=(me,), size=1), "implied"
    elif k is Kind.SINGLETON and ev.node:
        me = bare(ev.node)
        view, kind = View(creator=me, id=0, members=(me,), size=1), "implied"
    elif k is Kind.NON_MEMBER_DROP and ev.view:
        view, kind = ev.view, "dropped"
    if view is None:
        return False
    view = _bare_view(view)
    subgroups = tuple(_bare_view(v) for v in subgroups)
    ch = ev.channel or ""
    dkey = (ch, view.creator, view.id)
    if dkey in inc.seen_keys:
        return True  # WildFly logs the same view once per cache container
    if (
        kind == "view"
        and view.id == 0
        and inc.has_views
        and view.creator in ph.names | {inc.name}
        and not any(k[1] == view.creator and k[2] == 0 for k in inc.seen_keys)
    ):
        # a fresh [me|0] after other views: the pod restarted without a channel-start line
        inc = _new_inc(ph, SourceEvents(info=SourceInfo(name=inc.source), events=[]), ev, t)
        inc.first_line = ev.lineno
    inc.seen_keys.add(dkey)
    inc.has_views = True
    obs.append(Obs(pod=ph.name, inc=inc.index, channel=ch, view=view, kind=kind, t=t, event=ev, subgroups=subgroups))
    return False


def _bare_view(v: View) -> View:
    members = tuple(bare_all(v.members))
    creator = bare(v.creator)
    if members == v.members and creator == v.creator:
        return v
    return View(creator=creator, id=v.id, members=members, size=v.size, truncated=v.truncated)


def _resolve_obs(o: Obs, uuids: dict[str, str]) -> Obs:
    def res(v: View) -> View:
        if not any(m in uuids for m in v.members) and v.creator not in uuids:
            return v
        return View(
            creator=uuids.get(v.creator, v.creator),
            id=v.id,
            members=tuple(uuids.get(m, m) for m in v.members),
            size=v.size,
            truncated=v.truncated,
        )

    o.view = res(o.view)
    o.subgroups = tuple(res(s) for s in o.subgroups)
    return o
