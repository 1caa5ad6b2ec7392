"""Typed values passed between the stages.

Every stage (sources -> records -> events -> history -> analysis -> report) imports this module
and nothing of the other stages; :mod:`jgview.pipeline` composes them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from jgview import struct


# --------------------------------------------------------------------------------------------
# records


class Record(struct.Struct):
    """One log record: a physical line, or several joined (stack traces, wrapped lines)."""

    source: str
    """Display name of the input (file path, ``<stdin>``, bundle member)."""
    lineno: int
    """1-based number of the record's first physical line in its source."""
    message: str
    """The message with the envelope and the layout's header removed; continuation lines are
    joined with ``\\n``. For unknown layouts this is the whole line."""
    pod: str | None = None
    """Pod name when known (kubectl/stern prefix, JSON ``hostName``, file name, ``--pod``)."""
    container: str | None = None
    time: datetime | None = None
    """Aware datetime (UTC) when the line carries a date, or a date could be inferred."""
    time_of_day: str | None = None
    """``HH:MM:SS,mmm`` when the layout printed a time without a date (kept even if dated)."""
    level: str | None = None
    logger: str | None = None
    thread: str | None = None
    layout: str = "unknown"
    """Name of the layout that parsed the header (``wildfly``, ``keycloak``, ``json`` …)."""
    raw: str = ""
    """The first physical line as read (after decoding), for evidence; bounded in length."""


# --------------------------------------------------------------------------------------------
# events


class Kind(str, enum.Enum):
    """Kinds of membership events. Code handles kinds; wordings live in the catalogue."""

    CHANNEL_START = "channel_start"  # ISPN000078
    LOCAL_ADDRESS = "local_address"  # ISPN000079, JChannel local_addr, GMS address=
    CHANNEL_STOP = "channel_stop"  # ISPN000080, server shutdown
    VIEW = "view"  # ISPN000094, GMS installing view, view printed in JGRP000011
    MERGED_VIEW = "merged_view"  # ISPN000093, installing merge view / MergeView::
    CREATED_CLUSTER = "created_cluster"  # creating cluster as coordinator / first member
    JOIN_TIMEOUT = "join_timeout"  # JOIN(x) sent to y timed out
    SINGLETON = "singleton"  # too many JOIN attempts: becoming singleton
    NODE_JOINED = "node_joined"  # ISPN100000
    NODE_LEFT = "node_left"  # ISPN100001
    TOPOLOGY = "topology"  # ISPN100002/100008/100010 member lists
    RECOVERED = "recovered"  # ISPN100007 recovered members
    RECOVERY_FAILED = "recovery_failed"  # ISPN100004
    LOST_MEMBERS = "lost_members"  # ISPN000314/318/319/320
    DATA_LOST = "data_lost"  # ISPN000312/313/316/317
    AVAILABILITY = "availability"  # ISPN100011 AVAILABLE / DEGRADED_MODE
    SUSPECT = "suspect"  # FD_ALL/FD_ALL3/FD_SOCK/FD_SOCK2/VERIFY_SUSPECT
    UNSUSPECT = "unsuspect"
    NEW_COORDINATOR = "new_coordinator"  # I'm the new coord
    ACK_TIMEOUT = "ack_timeout"  # failed to collect all ACKs
    NON_MEMBER_DROP = "non_member_drop"  # JGRP000011
    VERSION_MISMATCH = "version_mismatch"  # JGRP000010, ISPN000217, invalid magic number
    DIFFERENT_CLUSTER = "different_cluster"  # JGRP000012/13, discarding discovery request
    NO_PHYSICAL_ADDRESS = "no_physical_address"  # JGRP000032
    SEND_FAILED = "send_failed"  # JGRP000029/34, failed sending message (ConnectException …)
    ACCEPT_FAILED = "accept_failed"  # JGRP000006
    BIND_PROBLEM = "bind_problem"  # JGRP000026 and friends
    DISCOVERY_ERROR = "discovery_error"  # KUBE_PING 403, namespace not set, JDBC_PING errors …
    DNS_ENTRIES = "dns_entries"  # DNS_PING entries collected / no entries (DEBUG)
    DISCOVERY_TARGETS = "discovery_targets"  # DNS_PING sending discovery requests to hosts
    CHANNEL_ERROR = "channel_error"  # ISPN000085/541, dns_query can not be null
    NODE_NAME = "node_name"  # Keycloak "Node name: %s, Site name: %s"
    USER_SYMPTOM = "user_symptom"  # Keycloak events expired_code, invalid_code, …


class View(struct.Struct, frozen=True):
    """A JGroups view as printed: ``[creator|id] (size) [m1, m2, ...]``."""

    creator: str
    id: int
    members: tuple[str, ...]
    """Member names as printed, without the 5.5 ``(v=…)`` suffix; UUIDs not yet resolved."""
    size: int
    """The ``(n)`` count; equals ``len(members)`` unless the list was truncated."""
    truncated: bool = False
    """True when JGroups cut the list at ``max.list.print_size`` (``...``)."""

    @property
    def view_id(self) -> str:
        return f"[{self.creator}|{self.id}]"

    @property
    def coordinator(self) -> str:
        return self.members[0] if self.members else self.creator


class Detail(dict):  # type: ignore[type-arg]
    """The ``detail`` of the events of a message seen before: one read-only dict shared by all of
    them (a repeated warning can give thousands of events; each held a copy). Reads, iteration,
    ``dict(…)``, equality and JSON are a dict's; changing it raises ``TypeError``."""

    __slots__ = ()

    def _read_only(self, *args: Any, **kw: Any) -> Any:
        raise TypeError("an event's detail is shared by the events of a repeated message: read-only")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self) -> tuple[Any, ...]:  # (pickled as a dict; one copy for all who share it)
        return (Detail, (dict(self),))


class DetailList(list):  # type: ignore[type-arg]
    """A list inside a shared :class:`Detail` (names, addresses): read-only as well."""

    __slots__ = ()

    def _read_only(self, *args: Any, **kw: Any) -> Any:
        raise TypeError("an event's detail is shared by the events of a repeated message: read-only")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = extend = insert = pop = remove = clear = sort = reverse = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return (DetailList, (list(self),))


class Event(struct.Struct):
    """A membership event recognized in one record."""

    kind: Kind
    source: str
    lineno: int
    text: str
    """Evidence: the record's first line, bounded in length (never the whole record)."""
    time: datetime | None = None
    time_of_day: str | None = None
    pod: str | None = None
    """The pod the record came from (from the record), when known."""
    node: str | None = None
    """The JGroups name of the node that logged it, when the message or thread says so."""
    channel: str | None = None
    view: View | None = None
    subgroups: tuple[View, ...] = ()
    members: tuple[str, ...] = ()
    """Member lists of ISPN1000xx/000314…: current members (or joiners/leavers)."""
    lost: tuple[str, ...] = ()
    """ISPN000314/318/319/320: lost members."""
    subject: str | None = None
    """The other party: joined/left/suspected node, JOIN target, peer, local address …"""
    detail: dict[str, Any] = struct.field(default_factory=dict)
    """Extra facts: ``physical`` (list), ``uuid``, ``mode``, ``cache``, ``http_status``,
    ``protocol``, ``elapsed_ms``, ``version``, ``symptom``, ``reason`` …"""
    level: str | None = None
    logger: str | None = None


# --------------------------------------------------------------------------------------------
# sources


class SourceInfo(struct.Struct):
    """What was learned about one input while reading it."""

    name: str
    pods: list[str] = struct.field(default_factory=list)
    """Pods seen in this source (several for a ``kubectl logs -l --prefix`` stream)."""
    pod_hint: str | None = None
    """Pod name from the file name, bundle manifest or ``--pod``."""
    layout: str | None = None
    """Most frequent layout detected."""
    lines: int = 0
    bytes: int = 0
    records: int = 0
    undecodable_lines: int = 0
    long_lines: int = 0
    """Lines longer than the per-line bound (kept truncated)."""
    first_time: datetime | None = None
    last_time: datetime | None = None
    errors: list[str] = struct.field(default_factory=list)
    """One-line descriptions of what could not be read (truncated gzip, permission …)."""
    previous: bool = False
    """A ``--previous`` log (the container before its last restart)."""
    time_only: bool = False
    """The layout printed times of day without dates and no date could be inferred."""
    sampled_lines: int = 0
    """Candidate lines only counted, not parsed (Keycloak event lines past a few per minute)."""
    envelopes: list[str] = struct.field(default_factory=list)
    """Envelopes seen around the lines, e.g. ``compose`` (``docker compose logs``): where the
    logs come from, when it changes the advice."""


# --------------------------------------------------------------------------------------------
# analysis


class Verdict(str, enum.Enum):
    HEALTHY = "healthy"
    HEALED = "healed"
    SPLIT = "split"
    ALONE = "alone"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        return _VERDICT_RANK[self]


_VERDICT_RANK = {
    Verdict.SPLIT: 4,
    Verdict.HEALED: 3,
    Verdict.HEALTHY: 2,
    Verdict.ALONE: 1,
    Verdict.UNKNOWN: 0,
}


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class Evidence(struct.Struct):
    source: str
    line: int
    text: str
    pod: str | None = None
    time: datetime | None = None


class Finding(struct.Struct):
    id: str
    """Stable id, e.g. ``R1-dns-ping-clusterip``."""
    severity: Severity
    summary: str
    evidence: list[Evidence] = struct.field(default_factory=list)
    remediation: str = ""
    title: str = ""
    details: dict[str, Any] = struct.field(default_factory=dict)


class ClusterState(struct.Struct):
    """One partition at some moment: a view as seen by its members."""

    view_id: str
    coordinator: str
    members: list[str]
    size: int
    seen_by: list[str]
    """Pods whose latest view this is."""
    pods: list[str] = struct.field(default_factory=list)
    """Pods that are members (mapped from JGroups names)."""
    implied: bool = False
    """True when the view was implied (creating cluster as coordinator …), not printed."""


class Interval(struct.Struct):
    """A split or merge interval."""

    start: datetime | None
    end: datetime | None
    groups: list[list[str]]
    """The disjoint groups of pods (split) or the subgroups merged (merge)."""
    evidence: list[Evidence] = struct.field(default_factory=list)
    view_id: str | None = None
    start_text: str | None = None
    """Time of day or description where no date is known."""
    end_text: str | None = None


class ViewChange(struct.Struct):
    """One entry of a pod's view history on one channel."""

    time: datetime | None
    time_of_day: str | None
    view_id: str
    members: list[str]
    size: int
    kind: str
    """``view``, ``merged``, ``implied``, ``joined`` (bare channel start) …"""
    incarnation: int
    source: str
    line: int


class Incarnation(struct.Struct):
    index: int
    name: str | None
    uuid: str | None
    physical: list[str]
    start: datetime | None
    end: datetime | None
    stopped: bool
    """The log shows the channel stop / shutdown."""
    source: str | None = None
    line: int | None = None


class PodState(struct.Struct):
    name: str
    addresses: list[str] = struct.field(default_factory=list)
    """JGroups names, UUIDs and physical addresses of every incarnation."""
    incarnations: list[Incarnation] = struct.field(default_factory=list)
    channels: dict[str, list[ViewChange]] = struct.field(default_factory=dict)
    """Per channel, the view history in lineage order."""
    current_view: dict[str, str] = struct.field(default_factory=dict)
    """Per channel, the latest view id."""
    live: bool = True
    """Live at the end of the evidence (no stop seen)."""
    sources: list[str] = struct.field(default_factory=list)
    first_time: datetime | None = None
    last_time: datetime | None = None


class Segment(struct.Struct):
    """A stretch of time during which a pod sat in one cluster (for timelines)."""

    pod: str
    cluster: int
    """Cluster label: equal labels at the same time mean the same partition; a label is kept by
    the partition that holds most of the pods that had it before."""
    view_id: str
    incarnation: int
    start: datetime | None
    end: datetime | None
    """None while the segment is still open at the end of the evidence."""
    t_start: float | None = None
    """Seconds on the analysis' time axis (epoch seconds, or seconds from the first day's
    midnight for time-only logs) — for placing segments when no datetime is known."""
    t_end: float | None = None
    start_text: str | None = None
    end_text: str | None = None


class ChannelAnalysis(struct.Struct):
    channel: str
    verdict: Verdict
    clusters: list[ClusterState]
    splits: list[Interval] = struct.field(default_factory=list)
    merges: list[Interval] = struct.field(default_factory=list)
    group: str | None = None
    """Name of the cluster group (workload) when several groups share a channel name."""
    expected: int | None = None
    reason: str = ""
    """One sentence explaining the verdict."""
    segments: list[Segment] = struct.field(default_factory=list)
    """Per pod, which cluster it belonged to over time (for timelines)."""


class Analysis(struct.Struct):
    verdict: Verdict
    sentence: str
    """The verdict in one sentence, for people."""
    channels: list[ChannelAnalysis]
    pods: list[PodState]
    findings: list[Finding]
    sources: list[SourceInfo]
    stats: dict[str, Any]
    events: list[Event] = struct.field(default_factory=list)
    """The membership events (bounded; for timelines and reports)."""
    problems: list[str] = struct.field(default_factory=list)
    """Input problems (one line each) already reported on stderr."""
    window: tuple[datetime | None, datetime | None] = (None, None)
    cluster_objects: dict[str, Any] | None = None
    """Kubernetes objects from a ``collect`` bundle, when analyzed from one."""
    time_axis: str = "absolute"
    """``absolute`` (UTC datetimes) or ``time-of-day`` (time-only logs without dates:
    ``Segment.t_*`` are seconds from the first day's midnight)."""
    t_range: tuple[float | None, float | None] = (None, None)
    """First and last time key of the evidence on the time axis."""

    @property
    def exit_code(self) -> int:
        """0 ok, 1 problem found, 2 input error, 3 no membership evidence; 1 > 2 > 3."""
        if self.verdict is Verdict.SPLIT or any(f.severity is Severity.ERROR for f in self.findings):
            return 1
        if self.problems:
            return 2
        if self.verdict is Verdict.UNKNOWN:
            return 3
        return 0
