"""Membership over time: who saw which view when, from one :class:`Analysis`.

Two parts:

* the *timeline model* shared by the terminal timeline, the Markdown and the HTML report —
  :class:`Axis` (time keys and how to print them), :func:`channel_rows` (every pod's view changes,
  restarts, stops and suspicions merged in time order, each with its cluster label) and
  :func:`partitions` (the clusters over time: a row each time the grouping of pods changes);
* :func:`render`, the terminal timeline of ``jgview timeline``: one column per pod (up to
  :data:`MAX_COLUMNS` pods), else one compact line per event.

Nothing here re-derives the analysis: cluster labels come from ``ChannelAnalysis.segments``,
views from ``PodState.channels``. Every log-derived string goes through
:func:`jgview.render.safe.clean_line` and into a rich ``Text`` (never parsed as markup).
"""

from __future__ import annotations

import bisect
import re
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timezone

from rich.console import Console
from rich.text import Text

from jgview.models import Analysis, ChannelAnalysis, Interval, Kind, PodState, Segment, ViewChange
from jgview.render.safe import clean_line

DAY = 86400.0
MAX_COLUMNS = 8
"""Above this many pods the terminal timeline switches to one line per event."""

PALETTE = ["#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#F0E442", "#B39DDB", "#E0915C", "#AAAAAA"]
"""Colour per cluster label (Okabe–Ito based, readable on light and dark terminals); label 0 is the
main cluster. Labels past the palette cycle through it."""

_TOD = re.compile(r"^\s*(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:\s*\(\+(\d{1,4})d\))?")
_DIGITS = re.compile(r"(\d{1,18})")
_VIEW_ID = re.compile(r"^\[(.*)\|(\d+)\]$")


def label_style(label: int | None) -> str:
    return PALETTE[label % len(PALETTE)] if label is not None and label >= 0 else ""


# ---------------------------------------------------------------------------------------------
# time


def tod_seconds(text: str | None) -> tuple[float, int] | None:
    """``HH:MM:SS,mmm`` (optionally `` (+Nd)``) → (seconds of the day, day offset)."""
    if not text:
        return None
    m = _TOD.match(text)
    if not m:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if h > 23 or mi > 59 or s > 60:
        return None
    frac = float("0." + m.group(4)) if m.group(4) else 0.0
    return h * 3600 + mi * 60 + s + frac, int(m.group(5) or 0)


class Axis:
    """The analysis' time axis: epoch seconds (``absolute``) or seconds from the first day's
    midnight (``time-of-day``), its range, and how to print a key."""

    def __init__(self, a: Analysis):
        self.relative = a.time_axis == "time-of-day"
        vals: list[float] = [t for t in a.t_range if t is not None]
        for c in a.channels:
            for s in c.segments:
                vals.extend(t for t in (s.t_start, s.t_end) if t is not None)
        if not self.relative:
            for p in a.pods:
                for inc in p.incarnations:
                    vals.extend(dt.timestamp() for dt in (inc.start, inc.end) if dt is not None)
        self.known = bool(vals)
        self.t0 = min(vals) if vals else 0.0
        self.t1 = max(vals) if vals else 1.0
        if self.t1 <= self.t0:
            self.t1 = self.t0 + 1.0

    @property
    def multi_day(self) -> bool:
        return self.known and self.day_of(self.t0) != self.day_of(self.t1)

    # --- conversions -------------------------------------------------------------------------

    def of_dt(self, dt: datetime | None) -> float | None:
        if dt is None:
            return None
        if self.relative:
            d = dt.astimezone(timezone.utc) if dt.tzinfo else dt
            return d.hour * 3600 + d.minute * 60 + d.second + d.microsecond / 1e6
        return dt.timestamp()

    def of_tod(self, text: str | None, ref: float | None = None) -> float | None:
        """A time of day placed on the day nearest to ``ref`` (or the one its ``(+Nd)`` says)."""
        parsed = tod_seconds(text)
        if parsed is None:
            return None
        sec, day = parsed
        if day or ref is None:
            return day * DAY + sec
        k = round((ref - sec) / DAY)
        return k * DAY + sec

    def of_interval(self, i: Interval, start: bool) -> float | None:
        dt = i.start if start else i.end
        txt = i.start_text if start else i.end_text
        if dt is not None and not self.relative:
            return dt.timestamp()
        return self.of_tod(txt) if txt else self.of_dt(dt)

    def of_event_time(self, dt: datetime | None, tod: str | None, ref: float | None) -> float | None:
        if not self.relative:
            return dt.timestamp() if dt is not None else None
        t = self.of_tod(tod, ref)
        return t if t is not None else (self.of_tod(_dt_tod(dt), ref) if dt is not None else None)

    # --- printing -----------------------------------------------------------------------------

    def day_of(self, t: float) -> str:
        """The date (absolute) or ``day N`` / ``+Nd`` (time of day) of a key."""
        if self.relative:
            d = int(t // DAY)
            return f"+{d}d" if d else "day 1"
        return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%d")

    def fmt(self, t: float | None, *, ms: bool = True, date: bool = False) -> str:
        if t is None:
            return "?"
        total_ms = int(round(t * 1000))
        if self.relative:
            day, rem_ms = divmod(total_ms, int(DAY) * 1000)
            sec, milli = divmod(rem_ms, 1000)
            hh, rem = divmod(sec, 3600)
            mm, ss = divmod(rem, 60)
            out = f"{hh:02d}:{mm:02d}:{ss:02d}"
            if ms:
                out += f",{milli:03d}"
            if date and day:
                out += f" (+{int(day)}d)"
            return out
        sec, milli = divmod(total_ms, 1000)
        dt = datetime.fromtimestamp(sec, tz=timezone.utc)
        out = dt.strftime("%H:%M:%S")
        if ms:
            out += f".{milli:03d}"
        if date:
            out = dt.strftime("%Y-%m-%d ") + out + "Z"
        return out


def _dt_tod(dt: datetime) -> str:
    return dt.strftime("%H:%M:%S,") + f"{dt.microsecond // 1000:03d}"


# ---------------------------------------------------------------------------------------------
# the timeline model


@dataclass(slots=True)
class Row:
    """One membership event of one pod on one channel, placed on the axis."""

    t: float | None
    pod: str
    kind: str
    """``view``, ``merged``, ``implied``, ``joined``, ``superseded``…, or ``restart``, ``stop``,
    ``suspect``."""
    view_id: str | None = None
    members: list[str] = field(default_factory=list)
    size: int = 0
    label: int | None = None
    """Cluster label of the pod at that moment (``Segment.cluster``)."""
    text: str = ""
    """What happened, for rows that are not views."""
    source: str | None = None
    line: int | None = None
    incarnation: int = 0
    order: int = 0


@dataclass(slots=True)
class Partition:
    """The clusters of a channel during ``[start, end)``: label → pods."""

    start: float | None
    end: float | None
    groups: list[tuple[int, list[str], list[str]]]
    """(label, pods, view ids) per cluster, largest first."""
    note: str = ""


def channel_title(c: ChannelAnalysis, a: Analysis) -> str:
    same = [x for x in a.channels if x.channel == c.channel]
    return c.channel + (f" ({c.group})" if c.group and len(same) > 1 else "")


def channel_pods(a: Analysis, c: ChannelAnalysis) -> list[str]:
    """The pods of one channel analysis, in the analysis' pod order."""
    names = {p.name for p in a.pods}
    pods = {s.pod for s in c.segments}
    pods |= {p for cl in c.clusters for p in cl.seen_by}
    for i in c.splits:
        pods |= {p for g in i.groups for p in g if p in names}
    if len([x for x in a.channels if x.channel == c.channel]) == 1:
        pods |= {p.name for p in a.pods if c.channel in p.channels}
    return sorted(pods, key=natural_key)


def natural_key(name: str) -> list:
    """``keycloak-2`` before ``keycloak-10``."""
    return [(0, int(tok), "") if tok.isdigit() else (1, 0, tok) for tok in _DIGITS.split(name) if tok]


def segments_by_pod(c: ChannelAnalysis) -> dict[str, list[Segment]]:
    out: dict[str, list[Segment]] = {}
    for s in c.segments:
        out.setdefault(s.pod, []).append(s)
    for lst in out.values():
        lst.sort(key=lambda s: s.t_start if s.t_start is not None else float("-inf"))
    return out


class _SegIndex:
    """One pod's segments, for finding the one a view change or an event belongs to."""

    def __init__(self, segs: list[Segment]):
        self.segs = segs
        self.by_key: dict[tuple[int, str], list[Segment]] = {}
        for sg in segs:
            self.by_key.setdefault((sg.incarnation, sg.view_id), []).append(sg)
        self.starts = [sg.t_start if sg.t_start is not None else float("-inf") for sg in segs]

    def first(self, inc: int, view_id: str) -> Segment | None:
        lst = self.by_key.get((inc, view_id))
        return lst[0] if lst else None

    def find(self, inc: int, view_id: str | None, t: float | None) -> Segment | None:
        """Same incarnation and view (nearest in time), else the segment covering ``t``."""
        lst = self.by_key.get((inc, view_id)) if view_id is not None else None
        if lst:
            if t is None or len(lst) == 1:
                return lst[0]
            return min(lst, key=lambda sg: abs((sg.t_start if sg.t_start is not None else t) - t))
        if t is None:
            return None
        i = bisect.bisect_right(self.starts, t) - 1
        for j in (i, i - 1):
            if j < 0:
                continue
            sg = self.segs[j]
            hi = sg.t_end if sg.t_end is not None else float("inf")
            if t < hi or (sg.t_start == t == hi):
                return sg
        return None


def coordinator_of(view_id: str, members: list[str] | None = None) -> str:
    if members:
        return members[0]
    m = _VIEW_ID.match(view_id)
    return m.group(1) if m else view_id


def channel_rows(a: Analysis, c: ChannelAnalysis, axis: Axis | None = None) -> list[Row]:
    """Every pod's view changes, restarts, stops and suspicions on this channel, in time order."""
    axis = axis or Axis(a)
    segs = segments_by_pod(c)
    pods = channel_pods(a, c)
    states: dict[str, PodState] = {p.name: p for p in a.pods}
    rows: list[Row] = []
    last_key: dict[str, float | None] = {}
    index: dict[str, _SegIndex] = {}
    for p in pods:
        ps = states.get(p)
        psegs = segs.get(p, [])
        idx = index[p] = _SegIndex(psegs)
        ref: float | None = axis.t0 if axis.known else None
        vcs: list[ViewChange] = list(ps.channels.get(c.channel, [])) if ps else []
        for vc in vcs:
            first = idx.first(vc.incarnation, vc.view_id)
            seg_ref = first.t_start if first is not None else None
            if axis.relative:
                t = axis.of_tod(vc.time_of_day, seg_ref if seg_ref is not None else ref)
                if t is None:
                    t = seg_ref
            else:
                t = vc.time.timestamp() if vc.time is not None else seg_ref
            if t is not None:
                ref = t
            found = idx.find(vc.incarnation, vc.view_id if vc.view_id != "?" else None, t)
            label = found.cluster if found is not None else None
            rows.append(Row(t=t, pod=p, kind=vc.kind, view_id=vc.view_id, members=list(vc.members), size=vc.size,
                            label=label, source=vc.source, line=vc.line, incarnation=vc.incarnation))
        last_key[p] = ref
        if ps:
            for inc in ps.incarnations:
                first = next((s for s in psegs if s.incarnation == inc.index and s.t_start is not None), None)
                lastseg = [s for s in psegs if s.incarnation == inc.index]
                if inc.index > 0:
                    t = axis.of_dt(inc.start) if not axis.relative else None
                    if t is None and first is not None:
                        t = first.t_start
                    rows.append(Row(t=t, pod=p, kind="restart", text=f"restarted as {inc.name or '?'}",
                                    label=first.cluster if first else None, source=inc.source, line=inc.line,
                                    incarnation=inc.index))
                if inc.stopped:
                    t = axis.of_dt(inc.end) if not axis.relative else None
                    if t is None and lastseg and lastseg[-1].t_end is not None:
                        t = lastseg[-1].t_end
                    rows.append(Row(t=t, pod=p, kind="stop", text="channel stopped", incarnation=inc.index,
                                    label=lastseg[-1].cluster if lastseg else None))
    pod_set = set(pods)
    clocks: dict[str, float | None] = {p: (axis.t0 if axis.known else None) for p in pods}
    for ev in a.events:
        if ev.kind is not Kind.SUSPECT or ev.pod not in pod_set:
            continue
        if ev.channel and ev.channel != c.channel:
            continue
        t = axis.of_event_time(ev.time, ev.time_of_day, clocks.get(ev.pod))
        if t is not None:
            clocks[ev.pod] = t
        found = index[ev.pod].find(-1, None, t) if ev.pod in index else None
        label = found.cluster if found is not None else None
        rows.append(Row(t=t, pod=ev.pod or "?", kind="suspect", text=f"suspects {ev.subject or '?'}", label=label,
                        source=ev.source, line=ev.lineno))
    for n, r in enumerate(rows):
        r.order = n
    rows.sort(key=lambda r: (r.t if r.t is not None else float("-inf"), r.order))
    return rows


def channel_marks(a: Analysis, c: ChannelAnalysis, axis: Axis | None = None) -> list[Row]:
    """Channel-level rows: where splits begin and end, and merges (``pod`` is empty)."""
    axis = axis or Axis(a)
    out: list[Row] = []
    merge_ends = set()
    for m in c.merges:
        t = axis.of_interval(m, False)
        merge_ends.add(t)
        groups = " + ".join("{" + ", ".join(sorted(g, key=natural_key)) + "}" for g in m.groups)
        out.append(Row(t=t, pod="", kind="merge", view_id=m.view_id, text=f"merged {m.view_id or ''} from {groups}".replace("  ", " ")))
    for sp in c.splits:
        ts, te = axis.of_interval(sp, True), axis.of_interval(sp, False)
        groups = " | ".join("{" + ", ".join(sorted(g, key=natural_key)) + "}" for g in sp.groups)
        until = f"until {axis.fmt(te)}" if te is not None else "still open at the end of the evidence"
        out.append(Row(t=ts, pod="", kind="split", text=f"split: {groups} ({until})"))
        if te is not None and te not in merge_ends:
            out.append(Row(t=te, pod="", kind="healed", text="split over: one cluster again"))
    out.sort(key=lambda r: (r.t if r.t is not None else float("-inf"), r.kind != "split"))
    return out


def partitions(a: Analysis, c: ChannelAnalysis, axis: Axis | None = None) -> list[Partition]:
    """The clusters over time: one entry each time the grouping of pods (by label) changes."""
    axis = axis or Axis(a)
    points: list[tuple[float, int, int]] = []  # (t, 0=end/1=start, index)
    segs = c.segments
    for n, s in enumerate(segs):
        ts = s.t_start if s.t_start is not None else axis.t0
        points.append((ts, 1, n))
        if s.t_end is not None:
            points.append((s.t_end, 0, n))
    points.sort()
    cur: dict[str, int] = {}  # pod -> segment index
    out: list[Partition] = []
    i = 0
    prev_key: tuple | None = None
    while i < len(points):
        t = points[i][0]
        while i < len(points) and points[i][0] == t:
            _, kind, n = points[i]
            s = segs[n]
            if kind == 0:
                if cur.get(s.pod) == n:
                    del cur[s.pod]
            else:
                cur[s.pod] = n
            i += 1
        groups: dict[int, list[str]] = {}
        views: dict[int, list[str]] = {}
        for p, n in cur.items():
            groups.setdefault(segs[n].cluster, []).append(p)
            vl = views.setdefault(segs[n].cluster, [])
            if segs[n].view_id not in vl:
                vl.append(segs[n].view_id)
        key = tuple(sorted((lab, tuple(sorted(ps))) for lab, ps in groups.items()))
        if key == prev_key:
            continue
        glist = sorted(((lab, sorted(ps), views[lab]) for lab, ps in groups.items()), key=lambda g: (-len(g[1]), g[0]))
        if out:
            out[-1].end = t
        note = _describe(out[-1].groups if out else [], glist)
        out.append(Partition(start=t, end=None, groups=glist, note=note))
        prev_key = key
    return out


def _describe(before: list[tuple[int, list[str], list[str]]], after: list[tuple[int, list[str], list[str]]]) -> str:
    pb = {p: lab for lab, ps, _ in before for p in ps}
    pa = {p: lab for lab, ps, _ in after for p in ps}
    nb = len(before)
    na = len(after)
    parts: list[str] = []
    came = [p for p in pa if p not in pb]
    went = [p for p in pb if p not in pa]
    moved = [p for p in pa if p in pb and pa[p] != pb[p]]
    new_labels = {lab for lab, _, _ in after} - {lab for lab, _, _ in before}
    loners = [p for p in came if pa[p] in new_labels]
    reported: set[str] = set()
    if not before:
        parts.append("first view" + ("s" if len(pa) > 1 else "") + (f": {na} clusters" if na > 1 else ""))
    elif na > nb and na >= 2:
        if loners and all(p in came for p in pa if pa[p] in new_labels):
            parts.append(_names(loners) + f" started apart: {na} clusters")
            reported.update(loners)
        else:
            parts.append(f"split into {na} clusters")
    elif na < nb and na >= 1 and not went:
        parts.append("merged into one cluster" if na == 1 else f"merged into {na} clusters")
    joined = [p for p in came if p not in reported]
    if joined and before:
        parts.append(_names(joined) + " joined")
    if went:
        parts.append(_names(went) + " left or stopped")
    if moved and before and na == nb:
        parts.append(_names(moved) + " moved to another cluster")
    if not after:
        parts.append("no pod in a view")
    return "; ".join(parts)


def _names(ps: list[str], n: int = 3) -> str:
    return ", ".join(ps[:n]) + (f" and {len(ps) - n} more" if len(ps) > n else "")


def abbreviations(pods: list[str]) -> dict[str, str]:
    """Short unique column names: the common prefix (up to a ``-``) removed."""
    if len(pods) < 2:
        return {p: p for p in pods}
    prefix = pods[0]
    for p in pods[1:]:
        while not p.startswith(prefix):
            prefix = prefix[:-1]
    cut = prefix.rfind("-") + 1
    out = {p: (p[cut:] or p) for p in pods}
    if len(set(out.values())) < len(out):
        return {p: p for p in pods}
    return out


def abbreviate_view(view_id: str, abbr: dict[str, str]) -> str:
    """``[keycloak-demo-1-n8gpd|3]`` → ``[n8gpd|3]`` when the creator is (a name of) a pod."""
    m = _VIEW_ID.match(view_id)
    if not m:
        return view_id
    creator = m.group(1)
    for pod, short in abbr.items():
        if short != pod and (creator == pod or creator.startswith(pod + "-")):
            return f"[{short}{creator[len(pod):]}|{m.group(2)}]"
    return view_id


def fit(text: str, width: int) -> str:
    """Cut to ``width`` characters, keeping the end of a view id (``|id]``) visible."""
    if len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    bar = text.rfind("|")
    if 0 < bar and len(text) - bar <= width - 2:
        tail = text[bar:]
        return text[: width - len(tail) - 1] + "…" + tail
    return text[: width - 1] + "…"


# ---------------------------------------------------------------------------------------------
# terminal

_MARK_STYLE = {"split": "bold red", "merge": "bold yellow", "healed": "bold green"}
_FOOTNOTES = {"*": "* view implied by 'creating cluster as coordinator'", "⊕": "⊕ merge view",
              "↻": "↻ restart (new incarnation)", "■": "■ channel stopped", "?": "? suspicion"}


def _cell(r: Row) -> str:
    if r.kind in ("restart", "stop", "suspect"):
        return {"restart": "↻ ", "stop": "■ ", "suspect": "? "}[r.kind] + r.text
    if r.kind == "joined" or r.view_id in (None, "?"):
        return "joined (view unknown)"
    mark = {"merged": "⊕", "implied": "*"}.get(r.kind, "")
    return f"{mark}{r.view_id} ({r.size})"


def _is_view(r: Row) -> bool:
    return bool(r.pod) and r.kind not in ("restart", "stop", "suspect")


def group_rows(rows: list[Row], window: float = 1.0) -> list[list[Row]]:
    """Rows of the same view installed within ``window`` seconds, one per pod, become one group
    (other rows in between do not break it); groups keep the order of their first row."""
    out: list[list[Row]] = []
    open_: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        if not (_is_view(r) and r.view_id not in (None, "?")):
            out.append([r])
            continue
        if r.t is not None:
            for k in [k for k, g in open_.items() if g[0].t is not None and r.t - g[0].t > window]:
                del open_[k]
        key = (r.kind, r.view_id or "")
        g = open_.get(key)
        if g is not None and (r.t is None) == (g[0].t is None) and r.pod not in {x.pod for x in g}:
            g.append(r)
            continue
        g = [r]
        open_[key] = g
        out.append(g)
    return out


_group_rows = group_rows


def _wrap(items: list[str], width: int, first: int) -> list[str]:
    """Join items with ``, `` into lines of at most ``first`` (then ``width``) characters."""
    lines: list[str] = []
    cur = ""
    room = first
    for it in items:
        piece = it if not cur else ", " + it
        if cur and len(cur) + len(piece) + 1 > room:
            lines.append(cur + ",")
            cur, room = it, width
        else:
            cur += piece
    if cur:
        lines.append(cur)
    return [fit(ln, room if n == 0 else width) if n == 0 else fit(ln, width) for n, ln in enumerate(lines)]


def _print(console: Console, t: Text) -> None:
    t.rstrip()
    console.print(t, no_wrap=True, overflow="ellipsis", crop=True, soft_wrap=False)


def render(
    a: Analysis,
    console: Console,
    *,
    since: float | None = None,
    until: float | None = None,
    compact: bool | None = None,
    members: bool = True,
    channel: str | None = None,
    max_members: int = 40,
) -> int:
    """Print the timeline of every channel (or only ``channel``); ``since``/``until`` are keys on
    the axis (see :func:`key_bounds`). Returns the number of event lines printed."""
    axis = Axis(a)
    width = max(console.width, 40)
    printed = 0
    chans = [c for c in a.channels if channel is None or c.channel == channel]
    if not chans:
        msg = "no membership evidence: nothing to show" if not a.channels else f"no channel {clean_line(channel, 200)}"
        console.print(Text(msg, style="dim"))
        return 0

    def inside(r: Row) -> bool:
        return (since is None or r.t is None or r.t >= since) and (until is None or r.t is None or r.t <= until)

    for ci, c in enumerate(chans):
        if ci:
            console.print()
        pods = channel_pods(a, c)
        rows = [r for r in channel_rows(a, c, axis) if inside(r)]
        marks = [r for r in channel_marks(a, c, axis) if inside(r)]
        merged = sorted(rows + marks, key=lambda r: (r.t if r.t is not None else float("-inf"), bool(r.pod)))
        head = Text()
        head.append("Channel ", style="bold")
        head.append(clean_line(channel_title(c, a), 200), style="bold")
        head.append(f"  {c.verdict.value}  ", style="bold")
        head.append(f"{len(pods)} pod(s), {len(rows)} event(s)", style="dim")
        if not axis.relative and axis.known:
            head.append("  times UTC", style="dim")
        _print(console, head)
        labels = sorted({s.cluster for s in c.segments})
        if labels:
            leg = Text("colour = the cluster a pod sat in: ", style="dim")
            for lab in labels[:12]:
                who = sorted({sg.pod for sg in c.segments if sg.cluster == lab})
                names = ", ".join(who[:3]) + (f" +{len(who) - 3}" if len(who) > 3 else "")
                leg.append(f"● cluster {lab}{' (main)' if lab == 0 else ''}: ", style=label_style(lab))
                leg.append(clean_line(names, 120) + "  ", style="dim")
            if len(labels) > 12:
                leg.append(f"… {len(labels) - 12} more", style="dim")
            _print(console, leg)
        use_compact = compact if compact is not None else len(pods) > MAX_COLUMNS
        if use_compact or not pods:
            owner = {n: p.name for p in a.pods for n in [*p.addresses, *(i.name for i in p.incarnations if i.name)]}
            printed += _render_compact(console, axis, merged, width, members, max_members, owner)
        else:
            printed += _render_columns(console, axis, pods, merged, width, members, max_members)
        if not rows:
            console.print(Text("(no membership events in this window)", style="dim"))
        used = {m for r in rows for m in _FOOTNOTES if _cell(r).startswith(m)}
        if used:
            _print(console, Text("   ".join(_FOOTNOTES[m] for m in _FOOTNOTES if m in used), style="dim"))
    return printed


def _day_line(axis: Axis, t: float | None, last_day: list[str | None], console: Console, width: int) -> None:
    if t is None:
        return
    day = axis.day_of(t)
    if day != last_day[0]:
        _print(console, Text(f"── {day} " + "─" * max(0, min(width, 60) - len(day) - 4), style="dim"))
        last_day[0] = day


def _mark_line(console: Console, axis: Axis, r: Row, tw: int, width: int) -> None:
    """A channel-level line (split, merge), wrapped with a hanging indent."""
    room = max(20, width - tw - 5)
    parts = textwrap.wrap(clean_line(r.text, 4000), room, break_on_hyphens=False) or [""]
    for n, part in enumerate(parts):
        line = Text()
        line.append(f"{(axis.fmt(r.t) if r.t is not None else '?') if n == 0 else '':<{tw}}  ", style="dim")
        line.append(("── " if n == 0 else "   ") + part, style=_MARK_STYLE.get(r.kind, "bold"))
        _print(console, line)


def _members_line(console: Console, r: Row, indent: int, width: int, max_members: int, vid: str) -> None:
    names = [clean_line(m, 200) for m in r.members[:max_members]]
    if len(r.members) > max_members:
        names.append(f"… +{len(r.members) - max_members}")
    label = fit(clean_line(vid, 200), 40) + " = "
    room = max(10, width - indent)
    for n, ln in enumerate(_wrap(names, room - len(label), room - len(label))):
        _print(console, Text(" " * indent + (label if n == 0 else " " * len(label)) + ln, style="dim"))


def _render_columns(console: Console, axis: Axis, pods: list[str], rows: list[Row], width: int,
                    members: bool, max_members: int) -> int:
    tw = 12
    n = len(pods)
    cw = max(8, min(30, (width - tw - 2 * n) // n))
    longest = max(len(p) for p in pods)
    abbr = abbreviations(pods) if longest > cw else {p: p for p in pods}
    head = Text(f"{'time':<{tw}}", style="bold")
    for p in pods:
        head.append("  ")
        head.append(f"{fit(clean_line(abbr[p], 200), cw):<{cw}}", style="bold")
    _print(console, head)
    if any(abbr[p] != p for p in pods):
        items = [clean_line(f"{abbr[p]} = {p}", 400) for p in pods]
        lead = "columns: "
        for n_, ln in enumerate(_wrap(items, width - len(lead), width - len(lead))):
            _print(console, Text((lead if n_ == 0 else " " * len(lead)) + ln, style="dim"))
    state: dict[str, int | None] = {}
    present: set[str] = set()
    seen_views: set[str] = set()
    last_day: list[str | None] = [None]
    printed = 0
    for group in _group_rows(rows):
        h = group[0]
        _day_line(axis, h.t, last_day, console, width)
        if not h.pod:
            _mark_line(console, axis, h, tw, width)
            continue
        line = Text()
        line.append(f"{axis.fmt(h.t) if h.t is not None else '?':<{tw}}", style="dim")
        by_pod = {r.pod: r for r in group}
        for r in group:
            if r.kind == "stop":
                present.discard(r.pod)
            elif r.kind != "suspect":
                present.add(r.pod)
                state[r.pod] = r.label
        for p in pods:
            line.append("  ")
            r = by_pod.get(p)
            if r is not None:
                txt = _cell(r)
                if r.view_id and _is_view(r) and len(txt) > cw:
                    txt = txt.replace(r.view_id, abbreviate_view(r.view_id, abbreviations(pods)), 1)
                style = label_style(r.label)
                if r.kind == "suspect":
                    style = "bold red"
                elif r.kind in ("restart", "stop"):
                    style = ("bold " + style).strip()
                line.append(f"{fit(clean_line(txt, 400), cw):<{cw}}", style=style)
            elif p in present:
                line.append(f"{'│':<{cw}}", style=label_style(state.get(p)) or "dim")
            else:
                line.append(f"{'·':<{cw}}", style="dim")
        _print(console, line)
        printed += 1
        if members and h.view_id and h.view_id != "?" and h.members and h.view_id not in seen_views:
            seen_views.add(h.view_id)
            _members_line(console, h, tw + 2, width, max_members, h.view_id)
    return printed


def _render_compact(console: Console, axis: Axis, rows: list[Row], width: int, members: bool,
                    max_members: int, owner: dict[str, str] | None = None) -> int:
    tw = 12
    groups = _group_rows(rows)
    abbr = abbreviations(sorted({r.pod for r in rows if r.pod}, key=natural_key))

    def who_of(g: list[Row]) -> str:
        if len(g) == 1:
            return g[0].pod
        full = ", ".join(r.pod for r in g)
        return full if len(full) <= 32 else f"{g[0].pod} +{len(g) - 1}"

    pw = max(8, min(32, max((len(who_of(g)) for g in groups if g[0].pod), default=8)))
    vw = max(10, min(36, max((len(_cell(g[0])) for g in groups if g[0].pod), default=10)))
    # leave at least 20 columns for the members
    over = tw + 2 + pw + 2 + vw + 2 + 20 - width
    if over > 0:
        cut_v = min(over, vw - 10)
        vw -= cut_v
        pw = max(8, pw - (over - cut_v))
    _print(console, Text(f"{'time':<{tw}}  {'pod':<{pw}}  {'view':<{vw}}  members", style="bold"))
    last_members: dict[str, list[str]] = {}
    seen_views: set[str] = set()
    last_day: list[str | None] = [None]
    printed = 0
    indent = tw + 2 + pw + 2 + vw + 2
    for group in groups:
        h = group[0]
        _day_line(axis, h.t, last_day, console, width)
        if not h.pod:
            _mark_line(console, axis, h, tw, width)
            continue
        who = who_of(group)
        if len(who) > pw and len(group) > 1:
            who = f"{abbr.get(group[0].pod, group[0].pod)} +{len(group) - 1}"
        style = label_style(h.label)
        line = Text()
        line.append(f"{axis.fmt(h.t) if h.t is not None else '?':<{tw}}  ", style="dim")
        line.append(f"{fit(clean_line(who, 200), pw):<{pw}}", style=style)
        line.append("  ")
        cell_style = "bold red" if h.kind == "suspect" else (("bold " + style).strip() if h.kind in ("restart", "stop") else style)
        cell = _cell(h)
        if len(cell) > vw and h.view_id and _is_view(h):
            cell = cell.replace(h.view_id, abbreviate_view(h.view_id, abbr), 1)
        line.append(f"{fit(clean_line(cell, 400), vw):<{vw}}", style=cell_style)
        line.append("  ")
        detail: list[str] = []
        if h.view_id and h.view_id != "?" and h.members and _is_view(h):
            prev = last_members.get(h.pod)
            if prev is None:
                detail = [clean_line(m, 200) for m in h.members[:max_members]]
                if len(h.members) > max_members:
                    detail.append(f"… +{len(h.members) - max_members}")
            else:
                plus = [m for m in h.members if m not in prev]
                minus = [m for m in prev if m not in h.members]
                detail = ["+" + clean_line(m, 200) for m in plus[:max_members]]
                detail += ["−" + clean_line(m, 200) for m in minus[:max_members]]
                if not detail:
                    detail = ["(same members)"]
            seen_views.add(h.view_id)
            for r in group:
                last_members[r.pod] = list(h.members)
        room = max(10, width - indent)
        lines = _wrap(detail, room, room) if (members and detail) else []
        if lines:
            line.append(lines[0], style="dim")
        _print(console, line)
        for ln in lines[1:]:
            _print(console, Text(" " * indent + ln, style="dim"))
        member_pods = {(owner or {}).get(m) for m in h.members} - {None}
        seen = {r.pod for r in group}
        if len(group) > 1 and who != ", ".join(r.pod for r in group) and seen != member_pods:
            names = [clean_line(r.pod, 200) for r in group]
            lead = " " * (tw + 2) + "seen by: "
            wrapped = _wrap(names, max(10, width - len(lead)), max(10, width - len(lead)))
            if len(wrapped) > 3:
                wrapped = wrapped[:3] + [f"… ({len(group)} pods)"]
            for n, ln in enumerate(wrapped):
                _print(console, Text((lead if n == 0 else " " * len(lead)) + ln, style="dim"))
        printed += 1
    return printed


def key_bounds(axis: Axis, since: datetime | None, until: datetime | None) -> tuple[float | None, float | None]:
    """``--since``/``--until`` as keys on the axis (times of day for time-only logs)."""
    def conv(dt: datetime | None) -> float | None:
        if dt is None:
            return None
        if axis.relative:
            return axis.of_dt(dt)
        return dt.timestamp()

    return conv(since), conv(until)
