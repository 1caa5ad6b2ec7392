"""The analysis stage: verdicts, clusters, splits and merges from a :class:`History`.

Per channel and cluster group (DESIGN.md "How the evidence is read"):

* a sweep in time order keeps each live pod's current view — a later view of the same lineage
  that lists the pod supersedes its older one even when the pod's own log is silent — and
  records the intervals during which live pods sat in mutually exclusive views (splits);
* the final state gives the clusters; merges come from MergeViews with two or more subgroups;
* Infinispan's lost-member reports (ISPN000314/318, DEGRADED_MODE) keep a split open until a
  view containing the lost members, a merge, a recovery or AVAILABLE clears them.
"""

from __future__ import annotations

import bisect
from collections import Counter
from datetime import datetime, timezone

from jgview.history import DAY, History, Obs
from jgview.identity import bare, bare_all, workload_of
from jgview.models import (
    ChannelAnalysis,
    ClusterState,
    Event,
    Evidence,
    Interval,
    Kind,
    PodState,
    Segment,
    Verdict,
    View,
    ViewChange,
)
from jgview.struct import Struct, field

GONE_TOLERANCE = 2.0
"""Seconds: a member excluded from its cluster whose own log ends within this much after the
exclusion (or before it) left or crashed; one whose log goes on was partitioned."""


MIN_SPLIT = 1.0
"""Seconds: shorter disjoint stretches are clock skew between pods' logs, not splits (JGroups
needs seconds to suspect and exclude a member)."""


class Group(Struct):
    channel: str
    name: str
    pods: list[str]
    obs: list[Obs] = field(default_factory=list)


class GroupResult(Struct):
    analysis: ChannelAnalysis
    final_views: dict[str, Obs]
    live: set[str]
    degraded_open: list[Event]
    gone: dict[str, str]
    """pod → "left" / "stopped" / "crashed" for pods that are not live at the end."""


def evidence_of(ev: Event) -> Evidence:
    return Evidence(source=ev.source, line=ev.lineno, text=ev.text, pod=ev.pod, time=ev.time)


def when(h: History, t: float | None) -> tuple[datetime | None, str | None]:
    """A time key as (datetime, text) for output."""
    if t is None:
        return None, None
    if h.relative_time:
        day, sec = divmod(t, DAY)
        hh, rem = divmod(int(sec), 3600)
        mm, ss = divmod(rem, 60)
        ms = int(round((sec - int(sec)) * 1000))
        txt = f"{hh:02d}:{mm:02d}:{ss:02d},{ms:03d}" + (f" (+{int(day)}d)" if day else "")
        return None, txt
    dt = datetime.fromtimestamp(t, tz=timezone.utc)
    return dt, dt.isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------------------------------------
# grouping


def cluster_groups(h: History) -> list[Group]:
    """Per channel: pods that appear in each other's views or share a workload form one group."""
    groups: list[Group] = []
    for ch in h.channels:
        ch_obs = [o for o in h.obs if o.channel == ch]
        pods = sorted({o.pod for o in ch_obs} | _pods_started_on(h, ch))
        if not pods:
            continue
        parent = {p: p for p in pods}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: str, b: str) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        # every pod with the members of each view it logged: the members of one printed view
        # are joined once, however many pods logged it, and each pod to one of them
        first_of: dict[tuple[str, int, tuple[str, ...]], str | None] = {}
        for o in ch_obs:
            v = o.view
            vk = (v.creator, v.id, v.members)
            if vk not in first_of:
                first = None
                for m in v.members:
                    q = h.pod_of(m)
                    if q in parent:
                        if first is None:
                            first = q
                        else:
                            union(first, q)
                first_of[vk] = first
            first = first_of[vk]
            if first is not None:
                union(o.pod, first)
        by_stem: dict[str, str] = {}
        for p in pods:
            stem = workload_of(p)
            if stem in by_stem:
                union(p, by_stem[stem])
            else:
                by_stem[stem] = p
        comps: dict[str, list[str]] = {}
        for p in pods:
            comps.setdefault(find(p), []).append(p)
        for members in comps.values():
            name = _group_name(members)
            groups.append(Group(channel=ch, name=name, pods=sorted(members), obs=[o for o in ch_obs if o.pod in members]))
    return groups


def _group_name(pods: list[str]) -> str:
    stems = sorted({workload_of(p) for p in pods})
    return stems[0] if len(stems) == 1 else "+".join(stems[:3])


def _pods_started_on(h: History, ch: str) -> set[str]:
    out = set()
    for p, ph in h.pods.items():
        if any(ch in inc.channels for inc in ph.incs):
            out.add(p)
    return out


# ---------------------------------------------------------------------------------------------
# the sweep


def _contains(v: View, h: History, pod: str) -> bool | None:
    """Is ``pod`` a member of ``v``? None when the list was truncated and it is not shown."""
    if pod in h.view_pods(v):
        return True
    return None if v.truncated else False


def _same_view(a: View, b: View) -> bool:
    return a is b or (a.id == b.id and a.creator == b.creator and a.members == b.members)


def _same_lineage(old: View, new: View) -> bool:
    return new.id > old.id and (new.creator == old.creator or new.creator in old.members)


class _Partition:
    """Live pods grouped by their current view, kept up to date one change at a time.

    Two views hold their pods together when each lists a pod of the other (mutual: a stale view
    that still lists a member which has since excluded it does not). A truncated view (JGroups
    prints 20 names) counts as listing whoever the other side's view says is with it.

    The components are kept between calls: a change can only join or split the components that
    hold a view key whose pods changed, or whose view lists a pod that moved, so
    :meth:`components` recomputes those and keeps the others (a step costs the change, not the
    number of pods or views: 500 pods starting alone one by one would otherwise cost 500²)."""

    def __init__(self, h: History) -> None:
        self.h = h
        self.by_key: dict[tuple[str, int], set[str]] = {}
        self.key_of: dict[str, tuple[str, int]] = {}
        self.view_of_key: dict[tuple[str, int], View] = {}
        self._vpods: dict[tuple[str, int], frozenset[str]] = {}
        self._listed_by: dict[str, set[tuple[str, int]]] = {}  # pod -> keys whose view lists it
        self._seq: dict[tuple[str, int], int] = {}  # key -> when it appeared (components keep that order)
        self._n = 0
        self._comp_of: dict[tuple[str, int], int] = {}
        self._comps: dict[int, list[tuple[str, int]]] = {}
        self._pods: dict[int, frozenset[str]] = {}
        self._unpodded: set[int] = set()  # components whose pods are not in _pods yet
        self._dirty: set[tuple[str, int]] = set()
        self.fresh: list[list[tuple[str, int]]] = []
        """The components the last :meth:`components` call made anew (the others are unchanged)."""
        self.removed: list[tuple[str, int]] = []
        """View keys that left the partition up to the last :meth:`components` call."""

    def set(self, p: str, view: View) -> bool:
        k = (view.creator, view.id)
        old = self.key_of.get(p)
        if old == k:
            return False
        if old is not None:
            self._remove(p, old)
        self.key_of[p] = k
        ps = self.by_key.get(k)
        if ps is None:
            ps = self.by_key[k] = set()
            self.view_of_key[k] = view
            vp = self._vpods[k] = self.h.view_pods(view)
            for q in vp:
                self._listed_by.setdefault(q, set()).add(k)
            self._seq[k] = self._n
            self._n += 1
        ps.add(p)
        self._dirty.add(k)
        self._dirty.update(self._listed_by.get(p, ()))  # views listing p may now hold k's pods too
        return True

    def drop(self, p: str) -> bool:
        old = self.key_of.pop(p, None)
        if old is None:
            return False
        self._remove(p, old)
        return True

    def _remove(self, p: str, k: tuple[str, int]) -> None:
        ps = self.by_key[k]
        ps.discard(p)
        self._dirty.add(k)  # (a pod leaving joins nothing: k's component is all it can split)
        if not ps:
            del self.by_key[k]
            del self.view_of_key[k]
            del self._seq[k]
            for q in self._vpods.pop(k):
                lb = self._listed_by[q]
                lb.discard(k)
                if not lb:
                    del self._listed_by[q]

    def components(self) -> list[list[tuple[str, int]]]:
        """The view keys grouped into components (each in the order the keys appeared); sets
        :attr:`fresh` and :attr:`removed`."""
        by_key, key_of, comp_of, comps = self.by_key, self.key_of, self._comp_of, self._comps
        self.fresh = []
        self.removed = []
        if self._dirty:
            parent: dict[tuple[str, int], tuple[str, int]] = {}
            work: list[tuple[str, int]] = []

            def absorb(k: tuple[str, int]) -> None:
                """Bring k's whole former component into the region recomputed."""
                cid = comp_of.get(k)
                old = comps.pop(cid, None) if cid is not None else None
                if old is not None:
                    self._pods.pop(cid, None)  # type: ignore[arg-type]
                    self._unpodded.discard(cid)  # type: ignore[arg-type]
                for x in old or (k,):
                    comp_of.pop(x, None)
                    if x in by_key and x not in parent:
                        parent[x] = x
                        work.append(x)

            self.removed = [k for k in self._dirty if k not in by_key]
            for k in self._dirty:
                absorb(k)
            self._dirty = set()

            def find(x: tuple[str, int]) -> tuple[str, int]:
                while parent[x] != x:
                    parent[x] = parent[parent[x]]
                    x = parent[x]
                return x

            vpods, view_of_key = self._vpods, self.view_of_key
            i = 0
            while i < len(work):
                k1 = work[i]
                i += 1
                obs1 = by_key[k1]
                tried = {k1}  # (whether k1 and k2 hold together does not depend on which pod links them)
                for q in vpods[k1]:
                    k2 = key_of.get(q)
                    if k2 is None or k2 in tried:
                        continue
                    tried.add(k2)
                    if k2 not in parent:
                        absorb(k2)
                    r1, r2 = find(k1), find(k2)
                    if r1 == r2:
                        continue
                    if view_of_key[k2].truncated or not obs1.isdisjoint(vpods[k2]):
                        parent[max(r1, r2)] = min(r1, r2)
            made: dict[tuple[str, int], list[tuple[str, int]]] = {}
            seq = self._seq
            for k in sorted(work, key=seq.__getitem__):
                made.setdefault(find(k), []).append(k)
            for comp in made.values():
                cid = self._n
                self._n += 1
                comps[cid] = comp
                for k in comp:
                    comp_of[k] = cid
                self.fresh.append(comp)
                self._unpodded.add(cid)
        return list(comps.values())

    def groups(self) -> list[frozenset[str]]:
        """The pods of each component (call it after :meth:`components`, before the next change;
        the pods of the components it kept are remembered, not gathered again)."""
        for cid in self._unpodded:
            if cid in self._comps:
                self._pods[cid] = frozenset().union(*(self.by_key[k] for k in self._comps[cid]))
        self._unpodded.clear()
        return list(self._pods.values())


def analyze_group(h: History, g: Group, expect: int | None, since_t: float | None) -> GroupResult:
    pods = set(g.pods)
    # state changes in time order: every observation, plus the ends of incarnations
    obs = sorted(g.obs, key=lambda o: (o.t if o.t is not None else float("-inf"), o.view.id))
    current: dict[str, Obs] = {}
    cur_inc: dict[str, int] = {}
    splits: list[Interval] = []
    merges: list[Interval] = []
    merge_ids: set[str] = set()
    first_t: dict[tuple[str, int], float] | None = None
    open_split: Interval | None = None
    split_t: float | None = None
    open_groups: list[frozenset[str]] = []
    split_ev: list[Event] = []
    split_ids: set[int] = set()

    ends = _incarnation_ends(h, g, obs)
    part = _Partition(h)
    track = _SegmentTracker(h, current, cur_inc, ends, part)
    ends_at: dict[float, list[tuple[str, int]]] = {}
    for (p, inc), e in ends.items():
        if e is not None:
            ends_at.setdefault(e, []).append((p, inc))

    # A view spreads to the members it lists (below). Each of 500 pods logging the same view
    # would spread it again, 500 members each time, for nothing: ``epoch`` counts the changes
    # that can give spreading something to do (a pod taking another view, or coming back to the
    # partition: leaving it, or another incarnation in the same view, cannot), and a view spread
    # since the last such change is not spread again.
    epoch = 0
    spread: dict[tuple[str, int, tuple[str, ...]], int] = {}

    def adopt(p: str, o: Obs, changed: set[str]) -> None:
        nonlocal epoch
        prev = current.get(p)
        current[p] = o
        cur_inc[p] = o.inc
        end = ends.get((p, o.inc))
        if end is not None and o.t is not None and o.t > end:
            moved = part.drop(p)  # a line logged after its incarnation ended: not live any more
        else:
            moved = part.set(p, o.view)
        if moved or prev is None or not _same_view(prev.view, o.view):
            epoch += 1
        changed.add(p)  # even in the same view: its segment may change (another incarnation)

    # time points: every observation, and every end of an incarnation (a pod that stops or dies
    # leaves the partition then, not at the next view change)
    steps: list[tuple[float | None, Obs | None]] = [(o.t, o) for o in obs]
    steps += [(e, None) for e in ends_at]
    steps.sort(key=lambda s: (s[0] if s[0] is not None else float("-inf"), s[1] is None, s[1].view.id if s[1] else 0))
    i = 0
    n = len(steps)
    while i < n:
        # process all observations that share a time key together
        t = steps[i][0]
        j = i
        changed: set[str] = set()
        ended: set[str] = set()
        while j < n and steps[j][0] == t:
            o = steps[j][1]
            j += 1
            if o is None:
                for p, inc in ends_at.get(t, ()):  # type: ignore[arg-type]
                    if cur_inc.get(p) == inc and part.drop(p):
                        ended.add(p)
                continue
            if o.pod not in pods:
                continue
            prev = current.get(o.pod)
            if prev is None or cur_inc.get(o.pod) != o.inc or o.view.id >= prev.view.id or prev.kind != "superseded":
                adopt(o.pod, o, changed)
            # a later view of the same lineage supersedes the older one for all its members
            vk = (o.view.creator, o.view.id, o.view.members)
            if spread.get(vk) != epoch:
                for q in h.view_pods(o.view):
                    qo = current.get(q)
                    if q == o.pod or qo is None or qo.inc != cur_inc.get(q) or q not in part.key_of:
                        continue
                    if _same_lineage(qo.view, o.view):
                        adopt(q, Obs(pod=q, inc=qo.inc, channel=o.channel, view=o.view, kind="superseded", t=o.t,
                                     event=o.event, subgroups=o.subgroups), changed)
                spread[vk] = epoch  # (spreading it again now would change nothing)
            if o.kind == "merged" and len(o.subgroups) >= 2 and o.view.view_id not in merge_ids:
                merge_ids.add(o.view.view_id)
                start = None
                if first_t is None:
                    first_t = {}
                    for x in g.obs:
                        if x.t is not None and (x.key not in first_t or x.t < first_t[x.key]):
                            first_t[x.key] = x.t
                starts = [first_t[(sg.creator, sg.id)] for sg in o.subgroups if (sg.creator, sg.id) in first_t]
                if starts:
                    start = min(starts)
                s_dt, s_txt = when(h, start)
                e_dt, e_txt = when(h, o.t)
                merges.append(
                    Interval(
                        start=s_dt,
                        end=e_dt,
                        start_text=s_txt,
                        end_text=e_txt,
                        groups=[sorted(_pods_or_names(h, sg.members)) for sg in o.subgroups],
                        evidence=[evidence_of(o.event)],
                        view_id=o.view.view_id,
                    )
                )
        i = j
        comps = part.components()
        track.step(changed, ended, t)
        if len(comps) >= 2:
            if open_split is None:
                split_t = t
                s_dt, s_txt = when(h, t)
                open_split = Interval(start=s_dt, end=None, start_text=s_txt, groups=[], evidence=[])
                split_ev = []
                split_ids = set()
                changed = set(part.key_of)  # collect the evidence of every pod once
            for p in sorted(changed):
                if p not in part.key_of:
                    continue
                ev = current[p].event
                if id(ev) not in split_ids and current[p].kind != "superseded":
                    split_ids.add(id(ev))
                    split_ev.append(ev)
            if len(comps) >= len(open_groups):
                open_groups = part.groups()
        elif open_split is not None:
            e_dt, e_txt = when(h, t)
            open_split.end, open_split.end_text = e_dt, e_txt
            open_split.groups = sorted(sorted(c) for c in open_groups)
            open_split.evidence = [evidence_of(e) for e in split_ev[:8]]
            if t is None or split_t is None or t - split_t >= MIN_SPLIT:
                splits.append(open_split)
            open_split = None
            open_groups = []

    # final state: pods live at the end of the evidence
    live = {p for p in current if ends.get((p, cur_inc.get(p, -1))) is None}
    gone = {p: _gone_reason(h, p, cur_inc.get(p)) for p in current if p not in live}
    for p in list(part.key_of):
        if p not in live:
            part.drop(p)
    part.components()
    final_comps = part.groups() if live else []
    segments = track.finish()
    if open_split is not None:
        open_split.groups = sorted(sorted(c) for c in (final_comps if len(final_comps) >= 2 else open_groups))
        open_split.evidence = [evidence_of(e) for e in split_ev[:8]]
        splits.append(open_split)

    clusters = [_cluster_state(h, comp, current) for comp in sorted(final_comps, key=lambda c: sorted(c))]
    clusters.sort(key=lambda c: (-c.size, c.members[:1]))

    degraded = _open_degraded(h, g, live)

    if since_t is not None and not h.relative_time:
        # --since: what ended before the window is history, not part of this analysis
        splits = [s for s in splits if s.end is None or s.end.timestamp() >= since_t]
        merges = [m for m in merges if m.end is None or m.end.timestamp() >= since_t]

    # verdict
    any_view = bool(g.obs)
    largest = max((len(c.pods) for c in clusters), default=0)
    reason = ""
    if not any_view:
        verdict = Verdict.UNKNOWN
        reason = "no view was printed or implied on this channel"
    elif len(final_comps) >= 2:
        verdict = Verdict.SPLIT
        reason = f"{len(final_comps)} groups of live pods sit in separate views at the end of the evidence"
    elif degraded:
        verdict = Verdict.SPLIT
        reason = "Infinispan reported lost members (possible split brain) that no later view, merge or recovery cleared"
    elif expect is not None and largest < expect:
        verdict = Verdict.SPLIT
        reason = f"the largest cluster has {largest} pod(s) but {expect} are expected"
    elif (splits or merges) and clusters:
        verdict = Verdict.HEALED
        reason = "a split happened and the pods are one cluster again at the end"
    elif len(g.pods) == 1 and clusters and clusters[0].size == 1:
        verdict = Verdict.ALONE
        reason = "one pod, alone in its cluster"
    elif not clusters:
        verdict = Verdict.UNKNOWN
        reason = "no pod of this cluster is live at the end of the evidence"
    else:
        verdict = Verdict.HEALTHY
        reason = "one cluster throughout" if not gone else "one cluster at the end (members left gracefully or restarted)"


    ca = ChannelAnalysis(
        channel=g.channel,
        verdict=verdict,
        clusters=clusters,
        splits=splits,
        merges=merges,
        group=g.name,
        expected=expect,
        reason=reason,
        segments=segments,
    )
    return GroupResult(analysis=ca, final_views={p: current[p] for p in current}, live=live, degraded_open=degraded, gone=gone)


class _SegmentTracker:
    """Which cluster each pod sat in over time: stable labels across partition changes.

    Works per view key: only pods whose view changed, or whose cluster's label changed, get
    new segments, so a step costs the changes, not the pods."""

    def __init__(self, h: History, current: dict[str, Obs], cur_inc: dict[str, int],
                 ends: dict[tuple[str, int], float | None], part: "_Partition"):
        self.h, self.current, self.cur_inc, self.ends, self.part = h, current, cur_inc, ends, part
        self.label_of_key: dict[tuple[str, int], int] = {}
        self.pod_label: dict[str, int] = {}
        self.open: dict[str, Segment] = {}
        self.done: list[Segment] = []
        self.next_label = 0
        self._last_when: tuple[float | None, tuple[datetime | None, str | None]] | None = None

    def _when(self, t: float | None) -> tuple[datetime | None, str | None]:
        """:func:`when`, remembering the last answer (the pods of one step share their time)."""
        last = self._last_when
        if last is None or last[0] != t:
            last = self._last_when = (t, when(self.h, t))
        return last[1]

    def _close(self, seg: Segment, t: float | None) -> None:
        seg.t_end = t
        seg.end, seg.end_text = self._when(t)
        self.done.append(seg)

    def step(self, changed: set[str], ended: set[str], t: float | None) -> None:
        """After ``part.components()``: label the components it made anew (the others keep
        theirs: none of their keys, pods or labels changed), then move the pods concerned."""
        part = self.part
        labels = self.label_of_key
        for k in part.removed:
            labels.pop(k, None)
        comps = part.fresh
        taken: set[int] = set()
        relabel: list[tuple[str, int]] = []
        if len(comps) > 1:
            comps = sorted(comps, key=lambda c: (-sum(len(part.by_key[k]) for k in c), min(c)))
        new_labels: dict[tuple[str, int], int] = {}
        moved: dict[tuple[str, int], list[int]] = {}  # key -> the labels its changed pods had
        for p in changed:
            k = part.key_of.get(p)
            if k is not None and p in self.pod_label:
                moved.setdefault(k, []).append(self.pod_label[p])
        for comp in comps:
            counts: dict[int, int] = {}
            for k in comp:
                lab = labels.get(k)
                if lab is not None:
                    counts[lab] = counts.get(lab, 0) + len(part.by_key[k])
                for lab in moved.get(k, ()):
                    counts[lab] = counts.get(lab, 0) + 1
            # the label most of its pods had (ties: the oldest label, not the order of a set)
            label = min((lab for lab in counts if lab not in taken), key=lambda lab: (-counts[lab], lab),
                        default=None)
            if label is None:
                label = self.next_label
                self.next_label += 1
            taken.add(label)
            for k in comp:
                new_labels[k] = label
                if labels.get(k) != label:
                    relabel.append(k)
        labels.update(new_labels)
        todo = set(changed)
        for k in relabel:
            todo |= part.by_key[k]
        for p in ended:
            seg = self.open.pop(p, None)
            if seg is not None:
                end = self.ends.get((p, seg.incarnation))
                self._close(seg, end if end is not None else t)
            self.pod_label.pop(p, None)
        for p in todo:
            k = part.key_of.get(p)
            seg = self.open.get(p)
            if k is None:  # no longer live
                if seg is not None:
                    end = self.ends.get((p, seg.incarnation))
                    self._close(seg, end if end is not None else t)
                    del self.open[p]
                self.pod_label.pop(p, None)
                continue
            label = labels[k]
            vid = self.current[p].view.view_id
            inc = self.cur_inc[p]
            self.pod_label[p] = label
            if seg is not None and seg.cluster == label and seg.view_id == vid and seg.incarnation == inc:
                continue
            if seg is not None:
                self._close(seg, t)
            start, start_text = self._when(t)
            self.open[p] = Segment(pod=p, cluster=label, view_id=vid, incarnation=inc, start=start, end=None,
                                   t_start=t, start_text=start_text)

    def finish(self) -> list[Segment]:
        for p, seg in self.open.items():
            end = self.ends.get((p, seg.incarnation))
            if end is not None:
                self._close(seg, end)
            else:
                self.done.append(seg)
        self.open = {}
        return sorted(self.done, key=lambda s: (s.pod, s.t_start if s.t_start is not None else float("-inf")))


def _pods_or_names(h: History, names: tuple[str, ...]) -> list[str]:
    return bare_all(names)


def _cluster_state(h: History, comp: frozenset[str], current: dict[str, Obs]) -> ClusterState:
    views = [current[p] for p in sorted(comp)]  # (ties: the first pod's view, not a set's order)
    seen = Counter(o.key for o in views)
    best = max(views, key=lambda o: (seen[o.key], o.view.id, o.view.size))
    v = best.view
    members = bare_all(v.members)
    pods_in = sorted({h.pod_of(m) or m for m in members})
    return ClusterState(
        view_id=v.view_id,
        coordinator=v.coordinator,
        members=members,
        size=v.size,
        seen_by=sorted(comp),
        pods=pods_in,
        implied=all(current[p].kind == "implied" for p in comp),
    )


def _incarnation_ends(h: History, g: Group, obs: list[Obs]) -> dict[tuple[str, int], float | None]:
    """(pod, incarnation) → time key after which it is no longer live; None = live at the end."""
    ends: dict[tuple[str, int], float | None] = {}
    for p in g.pods:
        ph = h.pods.get(p)
        if not ph:
            continue
        for idx, inc in enumerate(ph.incs):
            last = idx == len(ph.incs) - 1
            if not last:
                nxt = ph.incs[idx + 1]
                cands = [x for x in (inc.stop_t, inc.end_t, nxt.start_t) if x is not None]
                ends[(p, idx)] = min(cands) if cands else None
            elif inc.stopped:
                ends[(p, idx)] = inc.stop_t if inc.stop_t is not None else inc.end_t
            else:
                ends[(p, idx)] = None
    # excluded by its cluster while its own log ends there: gone, not partitioned
    last_own: dict[tuple[str, int], Obs] = {}
    for o in obs:
        last_own[(o.pod, o.inc)] = o
    by_creator: dict[str, list[Obs]] = {}
    for w in obs:
        if w.t is not None:
            by_creator.setdefault(w.view.creator, []).append(w)
    creator_t = {c: [w.t for w in lst] for c, lst in by_creator.items()}
    for (p, idx), o in last_own.items():
        if ends.get((p, idx)) is not None:
            continue
        ph = h.pods[p]
        log_end = ph.last_t
        if log_end is None:
            continue
        # the first later view of the same lineage (its creator is o's creator or one of o's
        # members) that leaves p out; per creator the views are in time order
        first: Obs | None = None
        for creator in {o.view.creator, *o.view.members}:
            lst = by_creator.get(creator)
            if not lst:
                continue
            start = bisect.bisect_left(creator_t[creator], o.t) if o.t is not None else 0
            for w in lst[start:]:
                if w.pod == p:
                    continue
                if first is not None and w.t >= first.t:  # type: ignore[operator]
                    break
                if _same_lineage(o.view, w.view) and _contains(w.view, h, p) is False:
                    first = w
                    break
        if first is not None and log_end <= first.t + GONE_TOLERANCE:  # type: ignore[operator]
            ends[(p, idx)] = min(log_end, first.t)  # type: ignore[type-var]
    return ends


def _gone_reason(h: History, p: str, inc: int | None) -> str:
    ph = h.pods.get(p)
    if ph and inc is not None and inc < len(ph.incs) - 1:
        return "restarted"
    if ph and ph.incs and ph.incs[-1].stopped:
        return "stopped"
    return "left"


def _open_degraded(h: History, g: Group, live: set[str]) -> list[Event]:
    """Lost-member reports (ISPN000314/318/319/320, DEGRADED_MODE) still open at the end."""
    pods = set(g.pods)
    open_ev: list[Event] = []
    lost_names: set[str] = set()
    for ev in h.events:
        if ev.pod not in pods:
            continue
        if ev.kind is Kind.LOST_MEMBERS or (ev.kind is Kind.AVAILABILITY and str(ev.detail.get("mode", "")).upper().startswith("DEGRADED")):
            open_ev.append(ev)
            lost_names.update(bare(m) for m in ev.lost)
        elif ev.kind in (Kind.MERGED_VIEW, Kind.RECOVERED) or (
            ev.kind is Kind.AVAILABILITY and str(ev.detail.get("mode", "")).upper() == "AVAILABLE"
        ):
            open_ev, lost_names = [], set()
        elif ev.kind is Kind.VIEW and ev.view and lost_names and lost_names <= {bare(m) for m in ev.view.members}:
            open_ev, lost_names = [], set()
    if not open_ev:
        return []
    # lost members whose own logs show them stopping are gone, not split away
    if lost_names:
        lost_pods = {h.pod_of(n) for n in lost_names} - {None}
        if lost_pods and all(p not in live and h.pods[p].incs and h.pods[p].incs[-1].stopped for p in lost_pods if p in h.pods):
            if all(p in h.pods for p in lost_pods):
                return []
    return open_ev


# ---------------------------------------------------------------------------------------------
# pods


def pod_states(h: History, results: list[GroupResult]) -> list[PodState]:
    live_any: dict[str, bool] = {}
    for r in results:
        for p in r.live:
            live_any[p] = True
        for p in r.gone:
            live_any.setdefault(p, False)
    out: list[PodState] = []
    obs_of: dict[str, list[Obs]] = {}
    for o in h.obs:
        obs_of.setdefault(o.pod, []).append(o)
    for p in sorted(h.pods):
        ph = h.pods[p]
        addrs: list[str] = []
        for inc in ph.incs:
            for a in [inc.name, inc.uuid, *inc.physical]:
                if a and a not in addrs:
                    addrs.append(a)
        for n in sorted(ph.names):
            if n not in addrs:
                addrs.append(n)
        chans: dict[str, list[ViewChange]] = {}
        for o in obs_of.get(p, ()):
            dt, txt = when(h, o.t)
            chans.setdefault(o.channel, []).append(
                ViewChange(
                    time=dt,
                    time_of_day=o.event.time_of_day or (txt if h.relative_time else None),
                    view_id=o.view.view_id,
                    members=bare_all(o.view.members),
                    size=o.view.size,
                    kind=o.kind,
                    incarnation=o.inc,
                    source=o.event.source,
                    line=o.event.lineno,
                )
            )
        for ch, lst in chans.items():
            lst.sort(key=lambda vc: (vc.incarnation, _lineage_key(vc)))
        # channels started without any view: joined, view unknown
        for inc in ph.incs:
            for ch in inc.channels:
                if ch and not any(vc.incarnation == inc.index for vc in chans.get(ch, [])):
                    chans.setdefault(ch, []).append(
                        ViewChange(time=inc.start, time_of_day=None, view_id="?", members=[], size=0, kind="joined",
                                   incarnation=inc.index, source=inc.source, line=inc.first_line or 0)
                    )
        current = {}
        for r in results:
            fo = r.final_views.get(p)
            if fo is not None:
                current[r.analysis.channel] = fo.view.view_id
        out.append(
            PodState(
                name=p,
                addresses=addrs,
                incarnations=[inc.to_model() for inc in ph.incs],
                channels=chans,
                current_view=current,
                live=live_any.get(p, bool(ph.incs) and not ph.incs[-1].stopped),
                sources=list(dict.fromkeys(ph.sources)),
                first_time=ph.first_time,
                last_time=ph.last_time,
            )
        )
    return out


def _lineage_key(vc: ViewChange) -> tuple[int, str]:
    try:
        vid = int(vc.view_id.rsplit("|", 1)[1].rstrip("]"))
    except (IndexError, ValueError):
        vid = -1
    return (vid, vc.kind)
