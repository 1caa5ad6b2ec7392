r"""The catalogue of membership wordings: one named pattern per wording, with real samples.

Wordings live here, code (:mod:`jgview.events`) handles kinds. The source of every wording is
``reference/messages.md`` (section numbers in ``versions``).

How :mod:`jgview.events` reads a pattern's named groups:

``node``
    the JGroups name of the logging node (ExtendedUUID ``(v=…)`` suffix dropped).
``channel``
    the channel / cluster name (backticks of Infinispan ≥13 are outside the group).
``subject``
    the other party (joiner, leaver, suspect, JOIN target, peer, sender …).
``subjects``
    one name *or* a ``[a, b]`` list: the names go to ``members``, the first to ``subject``.
``members`` / ``lost`` / ``stable`` / ``physical`` / ``entries`` / ``hosts`` / ``missing_from`` / ``joined`` / ``left``
    a list as printed (``[a, b]`` or bare ``a, b``), split with the bracket-depth scanner.
``view``
    an *empty* group marking where a JGroups view (or ``MergeView::``) begins; the view is parsed
    by :mod:`jgview.viewparse`, not by the regex, so nothing backtracks over member lists.
``view_id``
    a ``[creator|id]`` view id → ``detail["view_id"]``.
``elapsed`` + ``unit``
    a duration (``3321`` + ``ms``, 5.5's locale-dependent ``2,00`` + ``s``) → ``detail["elapsed_ms"]``.
``seconds``
    a plain decimal number of seconds (``0.061``) → ``detail["elapsed_ms"]``.
anything else
    ``detail[name]``; digits become ``int`` for the names in :data:`INT_FIELDS`, a matched
    :data:`BOOL_FIELDS` group becomes ``True``.

Every event also gets ``detail["wording"]`` = the id of the wording that produced it.

Flags of a :class:`Wording`:

``node_prefix``
    the node is the ``%s: `` token just before the match (GMS, FD, DNS_PING … lines start with
    ``local_addr + ": "``); the regex itself starts at a literal so that searching stays linear.
``subject_before``
    the subject(s) is the token (name or ``[a, b]`` list) just before the match (VERIFY_SUSPECT).
``node_required``
    with ``node_prefix``: no event without that node (generic wordings other libraries may print).
``event_logger``
    Infinispan event-logger line: ``[Context=…][Scope=…][User=…]`` may precede the id, with a
    space (9.3+) or without (8.2–9.2); Context → ``detail["cache"]``.
``fallback``
    used only where no other wording already matched that part of the message.
``kind is None``
    recognized and deliberately *not* an event (ISPN000439 cross-site views): the rest of its line
    is claimed so that no fallback wording can turn it into one.

Patterns use bounded repetition only (a test checks there is no ``*`` or ``+``). Each match
contains its wording's ``keyword`` and each keyword contains a :data:`CANDIDATE_WORDS` literal
(checked at import), so a line holding any event always passes :func:`is_candidate`, the cheap
prefilter the records stage runs on every line; a test also runs every sample through it.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from collections.abc import Callable
from typing import Any, Mapping

import regex

from jgview.lazy import LazyPattern
from jgview.models import Kind
from jgview.struct import Struct, field

__all__ = [
    "CANDIDATE",
    "CANDIDATE_KEYWORDS",
    "CANDIDATE_WORDS",
    "CANDIDATE_WORD_OF",
    "IGNORED",
    "BOOL_FIELDS",
    "INT_FIELDS",
    "LIST_FIELDS",
    "MISSING_CLIENT",
    "PATTERNS",
    "SUPPRESSED",
    "SYMPTOM_ERRORS",
    "Wording",
    "by_id",
    "is_candidate",
]


class Wording(Struct, frozen=True):
    """One wording of one message, as some versions print it."""

    id: str
    """Stable id, e.g. ``ispn-94-view``."""
    kind: Kind | None
    """The event kind; None for wordings recognized only to be ignored."""
    regex: Any
    """Compiled :mod:`regex` pattern with named groups (see the module docstring)."""
    versions: str
    """Which versions print it, and where that is documented."""
    samples: tuple[str, ...]
    """Real wordings (placeholders filled in) that must produce this wording's event."""
    keyword: str
    """A literal every match contains: a cheap ``in`` test before the regex runs."""
    node_prefix: bool = False
    node_required: bool = False
    """With ``node_prefix``: no event unless the ``%s: `` node is there (generic wordings that other
    libraries might also print, e.g. ``failed sending message to``)."""
    subject_before: bool = False
    event_logger: bool = False
    fallback: bool = False
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """Constant ``detail`` entries (``protocol``, ``reason`` …)."""
    after: Any = None
    """Optional :mod:`regex` matched right after the parsed view (e.g. ``, impl is X``)."""
    view_diff: bool = False
    """A ``View.printDiff`` ``(a joined, b left)`` may follow the view (``detail["joined"/"left"]``)."""
    extras: tuple[Any, ...] = ()
    """Optional :mod:`regex` patterns searched in the whole message for more ``detail``."""


# Building blocks (bounded, linear). A JGroups name: no blanks/brackets/commas, optionally followed
# by one parenthesised ExtendedUUID suffix that may contain ", ".
NAME = r"[^\s,()\[\]`'\"]{1,300}(?:\([^()\n]{0,300}\))?"
LIST = r"\[[^\[\]\n]{0,200000}\]"
VIEW_ID = r"\[[^\[\]\n|]{1,1000}\|\d{1,18}\]"
EOL = r"(?![^\n])"

INT_FIELDS = frozenset(
    {
        "attempts",
        "bytes",
        "coords",
        "expected",
        "http_status",
        "missing",
        "port_hi",
        "port_lo",
        "size",
        "topology_id",
        "try",
        "suppressed",
    }
)
"""Detail fields converted to ``int``."""

LIST_FIELDS = frozenset(
    {"members", "lost", "stable", "physical", "entries", "hosts", "missing_from", "joined", "left", "coord_list"}
)
"""Groups holding a list (``[a, b]`` or bare ``a, b``)."""

BOOL_FIELDS = frozenset({"degraded"})
"""Optional groups whose presence is the fact (``detail[name] = True`` when matched)."""


def lazy_regex(pattern: str) -> Any:
    """A :mod:`regex` pattern (``V0``) compiled when first used (most runs use few wordings)."""
    return LazyPattern(regex.compile, pattern, regex.V0)


def _w(
    id: str,
    kind: Kind | None,
    pattern: str,
    versions: str,
    samples: tuple[str, ...] | list[str],
    keyword: str,
    *,
    after: str | None = None,
    extras: tuple[str, ...] = (),
    fields: dict[str, Any] | None = None,
    **flags: bool,
) -> Wording:
    return Wording(
        id=id,
        kind=kind,
        regex=lazy_regex(pattern),
        versions=versions,
        samples=tuple(samples),
        keyword=keyword,
        fields=MappingProxyType(dict(fields or {})),
        after=lazy_regex(after) if after else None,
        extras=tuple(lazy_regex(e) for e in extras),
        **flags,
    )


_KUBE_EXTRAS = (
    r"for cluster \[(?P<cluster>[^\[\]\n]{0,300})\]",
    r"namespace \[(?P<namespace>[^\[\]\n]{0,300})\]",
    r"labels \[(?P<labels>[^\[\]\n]{0,1000})\]",
    r"HTTP response code: (?P<http_status>\d{3})",
    r"encountered \[(?P<reason>[^\n]{0,2000})\]" + EOL,
)

# Keycloak event-log key/value fields: key=value or key="value" (or 'value').
_KC_FIELD = r'(?:^|[\s,]){key}=(?:"(?P<{key}>[^"\n]{{0,500}})"|\'(?P<{key}>[^\n]{{0,500}}?)\'(?=,|[ \t]{{0,20}}(?:\n|$))|(?P<{key}>[^,\s]{{0,200}}))'


def _kc_field(key: str) -> str:
    return _KC_FIELD.format(key=key)


SYMPTOM_ERRORS = frozenset({"expired_code", "invalid_code", "user_session_not_found"})
"""Keycloak event ``error`` values that are user-visible symptoms of a split (diagnostics R17)."""

MISSING_CLIENT = "Session doesn't have required client"
"""Keycloak's refresh-token failure text when the session lives on another partition (R17)."""


# ------------------------------------------------------------------------------------------------
# Ignored: recognized, never an event (claims its span so that nothing else matches there).

IGNORED: tuple[Wording, ...] = (
    _w(
        "ispn-439-xsite-view",
        None,
        r"ISPN000439: Received new (?:x-site|cross-site) view: ",
        "9.x `x-site`, 14+ `cross-site` (§3.3); sites, not members",
        (
            "ISPN000439: Received new x-site view: [site-a, site-b]",
            "2024-05-01 10:00:00,123 INFO  [org.infinispan.XSITE] (jgroups-5,kc-0-1) "
            "ISPN000439: Received new cross-site view: [site-a]",
        ),
        "ISPN000439",
    ),
    _w(
        "ispn-100009-rebalance-phase",
        None,
        r"ISPN100009: Advancing to rebalance phase (?P<phase>[A-Z_]{1,60}), topology id (?P<topology_id>\d{1,12})",
        "INFO (§3.3); three or four per cache and topology change: the most frequent CLUSTER line of a "
        "busy cluster. The start and the end of a rebalance (ISPN100002/100010) are events; the phases "
        "in between are not kept (no finding reads them), and make no line a candidate",
        (
            "2024-05-21 07:56:17,695 INFO  [org.infinispan.CLUSTER] (non-blocking-thread--p2-t11) [Context=sessions] "
            "ISPN100009: Advancing to rebalance phase READ_ALL_WRITE_ALL, topology id 3",
        ),
        "ISPN100009",
        event_logger=True,
    ),
)


# ------------------------------------------------------------------------------------------------
# The wordings. Order matters only among overlapping wordings: earlier ones claim their span.

PATTERNS: tuple[Wording, ...] = (
    # ---- Infinispan channel / view (§3.2) ---------------------------------------------------------
    _w(
        "ispn-78-start",
        Kind.CHANNEL_START,
        r"ISPN000078: Starting JGroups channel `?(?P<channel>[^\s`]{1,300})`?"
        r"(?: with stack `?(?P<stack>[^\s`]{1,300})`?)?",
        "all; `with stack` 11.0+; backticks 13.0+ (§3.2); JGroupsTransport category ≤9.4",
        (
            "07:42:51,889 INFO  [org.infinispan.CLUSTER] (MSC service thread 1-1) "
            "ISPN000078: Starting JGroups channel ejb",
            "10:00:00,000 INFO  [org.infinispan.remoting.transport.jgroups.JGroupsTransport] (main) "
            "ISPN000078: Starting JGroups channel ISPN",
            "ISPN000078: Starting JGroups channel ISPN with stack kubernetes",
            "2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (keycloak-cache-init) "
            "ISPN000078: Starting JGroups channel `ISPN` with stack `kubernetes`",
            "ISPN000078: Starting JGroups channel `ISPN`",
        ),
        "ISPN000078",
    ),
    _w(
        "ispn-79-local-address",
        Kind.LOCAL_ADDRESS,
        r"ISPN000079: Channel `?(?P<channel>[^\s`]{1,300})`? local address is `?(?P<node>"
        + NAME
        + r")`?, physical addresses are `?(?P<physical>"
        + LIST
        + r")",
        "all; backticks 13.0+ (§3.2)",
        (
            "ISPN000079: Channel ejb local address is keycloak-demo-1-mvrfg, "
            "physical addresses are [10.128.0.12:7600]",
            "2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (keycloak-cache-init) "
            "ISPN000079: Channel `ISPN` local address is `keycloak-0-27846`, "
            "physical addresses are `[10.1.2.3:7800]`",
            "ISPN000079: Channel `ISPN` local address is `kc-0-4711(site-id=site1, rack-id=r1, "
            "machine-id=m1)`, physical addresses are `[fe80:0:0:0:5003:8eff:fefa:3e53%tap0:7800]`",
        ),
        "ISPN000079",
    ),
    _w(
        "ispn-80-stop",
        Kind.CHANNEL_STOP,
        r"ISPN000080: Disconnecting JGroups channel `?(?P<channel>[^\s`]{1,300})`?",
        "all; backticks 13.0+ (§3.2)",
        (
            "ISPN000080: Disconnecting JGroups channel ejb",
            "2024-05-01 11:00:00,000 INFO  [org.infinispan.CLUSTER] (main) "
            "ISPN000080: Disconnecting JGroups channel `ISPN`",
        ),
        "ISPN000080",
    ),
    _w(
        "wildfly-server-stopped",
        Kind.CHANNEL_STOP,
        r"WFLYSRV0050: (?P<product>[^\n]{1,200}?) stopped in (?P<elapsed>\d{1,12})(?P<unit>ms)",
        "WildFly / EAP / Keycloak ≤16 server stop (DESIGN: a shutdown line ends a pod's life)",
        (
            "10:15:00,123 INFO  [org.jboss.as] (MSC service thread 1-4) WFLYSRV0050: Keycloak 16.1.1 "
            "(WildFly Core 18.0.4.Final) stopped in 312ms",
        ),
        "WFLYSRV0050",
        fields={"shutdown": True},
    ),
    _w(
        "quarkus-stopped",
        Kind.CHANNEL_STOP,
        r"(?<![\w-])(?P<product>Keycloak|Infinispan Server|Infinispan) stopped in (?P<seconds>\d{1,9}(?:\.\d{1,9})?)s(?![\w])",
        "Keycloak ≥17 (Quarkus) `%s stopped in %ss` on shutdown (DESIGN: a shutdown line ends a pod's life)",
        ("2024-05-01 11:00:00,456 INFO  [io.quarkus] (Shutdown thread) Keycloak stopped in 0.061s",),
        "stopped in ",
        fields={"shutdown": True},
    ),
    _w(
        "ispn-93-merged-view",
        Kind.MERGED_VIEW,
        r"ISPN000093: Received new, MERGED cluster view for channel (?P<channel>\S{1,300}?): (?P<view>)",
        "8.2→16 unchanged, never backticks (§3.2)",
        (
            "2024-05-01 10:05:00,000 INFO  [org.infinispan.CLUSTER] (jgroups-9,kc-0-111) "
            "ISPN000093: Received new, MERGED cluster view for channel ISPN: "
            "MergeView::[kc-0-111|4] (2) [kc-0-111, kc-1-222], 2 subgroups: "
            "[kc-0-111|3] (1) [kc-0-111], [kc-1-222|2] (1) [kc-1-222]",
        ),
        "ISPN000093",
    ),
    _w(
        "ispn-94-view",
        Kind.VIEW,
        r"ISPN000094: Received new cluster view for channel (?P<channel>\S{1,300}?): (?P<view>)",
        "8.2→16 unchanged, never backticks (§3.2)",
        (
            "07:42:51,898 INFO  [org.infinispan.CLUSTER] (MSC service thread 1-1) "
            "ISPN000094: Received new cluster view for channel ejb: "
            "[keycloak-demo-1-mvrfg|0] (1) [keycloak-demo-1-mvrfg]",
            "07:45:02,191 INFO  [org.infinispan.CLUSTER] (MSC service thread 1-1) "
            "ISPN000094: Received new cluster view for channel ejb: "
            "[keycloak-demo-1-mvrfg|1] (2) [keycloak-demo-1-mvrfg, keycloak-demo-1-vv5jn]",
            "ISPN000094: Received new cluster view for channel ISPN: "
            "[kc-0-4711(v=16.0.8)|3] (2) [kc-0-4711(v=16.0.8), kc-1-815(v=16.0.8)]",
        ),
        "ISPN000094",
    ),
    _w(
        "ispn-711-view-rejected",
        Kind.NON_MEMBER_DROP,
        r"ISPN000711: View event rejected\. The installed view id '(?P<installed_view_id>[^'\n]{1,1000})'"
        r" is newer than the received view: (?P<view>)",
        "15.0.17+ / 16 WARN (§3.2); the received view was not installed",
        (
            "ISPN000711: View event rejected. The installed view id '[kc-0-1|5]' is newer than the "
            "received view: [kc-0-1|4] (2) [kc-0-1, kc-1-2]",
        ),
        "ISPN000711",
        fields={"rejected": True, "reason": "view older than the installed one"},
    ),
    # ---- GMS: creating a cluster (§2.1) ---------------------------------------------------------
    _w(
        "gms-no-members-first-member",
        Kind.CREATED_CLUSTER,
        r"no members discovered after (?P<elapsed>\d{1,12}) ?(?P<unit>ms): creating cluster as first member",
        "3.5.0–4.0.15 TRACE, 4.0.16–4.1.7 INFO (§2.1)",
        (
            "10:00:00,000 INFO  [org.jgroups.protocols.pbcast.GMS] (MSC service thread 1-3) "
            "keycloak-0: no members discovered after 3004 ms: creating cluster as first member",
        ),
        "creating cluster",
        node_prefix=True,
        fields={"reason": "no members discovered"},
    ),
    _w(
        "gms-no-members-coordinator",
        Kind.CREATED_CLUSTER,
        r"no members discovered after (?P<elapsed>\d{1,12}) (?P<unit>ms): creating cluster as coordinator",
        "4.1.8–5.4.x INFO (§2.1)",
        (
            "07:26:27,828 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService Thread Pool -- 60) "
            "keycloak-demo-1-n8gpd: no members discovered after 3321 ms: creating cluster as coordinator",
            "2024-05-01 10:00:00,123 INFO  [org.jgroups.protocols.pbcast.GMS] (keycloak-cache-init) "
            "keycloak-0-27846: no members discovered after 2003 ms: creating cluster as coordinator",
        ),
        "creating cluster",
        node_prefix=True,
        fields={"reason": "no members discovered"},
    ),
    _w(
        "gms-no-members-coordinator-printtime",
        Kind.CREATED_CLUSTER,
        r"no members discovered after (?P<elapsed>\d[\d.,'\u00a0\u202f ]{0,24}?)"
        r"(?P<unit>ns|us|µs|ms|s|m|h|d): creating cluster as coordinator",
        "5.5.0+ (Infinispan 16 / Keycloak 26.6): Util.printTime, locale-dependent (§2.1)",
        (
            "2026-03-01 10:00:00,123 INFO  [org.jgroups.protocols.pbcast.GMS] (keycloak-cache-init) "
            "kc-0-4711(v=16.0.8): no members discovered after 2.00s: creating cluster as coordinator",
            "kc-1-12(v=16.0.8): no members discovered after 850ms: creating cluster as coordinator",
            "kc-2-99: no members discovered after 1m: creating cluster as coordinator",
            "kc-2-99: no members discovered after 2,00s: creating cluster as coordinator",
        ),
        "creating cluster",
        node_prefix=True,
        fields={"reason": "no members discovered"},
    ),
    _w(
        "gms-first-member-coordinator",
        Kind.CREATED_CLUSTER,
        r"I'm the first member: creating cluster as coordinator",
        "4.1.8+ INFO, when discovery names this node as coordinator (§2.1)",
        ("keycloak-1-4242: I'm the first member: creating cluster as coordinator",),
        "creating cluster",
        node_prefix=True,
        fields={"reason": "first member"},
    ),
    _w(
        "gms-created-cluster",
        Kind.CREATED_CLUSTER,
        r"created cluster \(first member\)\. My view is (?P<view>)",
        "all DEBUG; prints the view id (§2.1)",
        (
            "14:48:08,779 DEBUG (main) [GMS] crucial-server-10-0-0-1-12345: created cluster (first member). "
            "My view is [crucial-server-10-0-0-1-12345|0], impl is org.jgroups.protocols.pbcast.CoordGmsImpl",
            "2024-07-03 14:57:55 [main] DEBUG org.jgroups.protocols.pbcast.GMS - LXKA-6RLTVL3-46217: "
            "created cluster (first member). My view is [LXKA-6RLTVL3-46217|0], impl is CoordGmsImpl",
        ),
        "created cluster",
        node_prefix=True,
        after=r", impl is (?P<impl>[\w.$]{1,300})",
        fields={"reason": "first member"},
    ),
    # ---- GMS: views (§2.2, §2.3) -----------------------------------------------------------------
    _w(
        "gms-installing-view",
        Kind.VIEW,
        r"installing view (?P<view>)",
        "DEBUG; 3.6 `%s: installing view %s`, 4.x/5.x `... %s %s` with printDiff (§2.2)",
        (
            "kc-0-1: installing view [kc-0-1|2] (3) [kc-0-1, kc-1-2, kc-2-3] (kc-2-3 joined)",
            "2024-05-01 10:00:00,123 DEBUG [org.jgroups.protocols.pbcast.GMS] (jgroups-5,kc-0-1) "
            "kc-0-1: installing view [kc-0-1|3] (2) [kc-0-1, kc-2-3] ([kc-4-4, kc-5-5] joined, kc-1-2 left)",
            "10:00:00,123 DEBUG [org.jgroups.protocols.pbcast.GMS] (Incoming-1,ee,node-a) "
            "node-a: installing view [node-a|1] (2) [node-a, node-b]",
        ),
        "installing view",
        node_prefix=True,
        view_diff=True,
    ),
    _w(
        "gms-installing-merge-view",
        Kind.MERGED_VIEW,
        r"installing merge view (?P<view>)",
        "DEBUG; 3.6/4.2 `%s: installing merge view %s (%d members) in %d coords`, master `... %s in %s`; "
        "prints the view id (§2.3)",
        (
            "kc-0-1: installing merge view [kc-0-1|5] (3 members) in 2 coords",
            "kc-0-1: installing merge view [kc-0-1|5] in [kc-0-1, kc-1-2]",
        ),
        "installing merge view",
        node_prefix=True,
        after=r" (?:\((?P<size>\d{1,12}) members\) in (?P<coords>\d{1,9}) coords|in (?P<coord_list>[^\n]{1,5000}))",
    ),
    _w(
        "jgrp-mergeview-anywhere",
        Kind.MERGED_VIEW,
        r"(?P<view>)MergeView::\[",
        "MergeView.toString() printed by any other line (§1)",
        (
            "kc-0-1: view is MergeView::[kc-0-1|6] (2) [kc-0-1, kc-1-2], 2 subgroups: "
            "[kc-0-1|5] (1) [kc-0-1], [kc-1-2|4] (1) [kc-1-2]",
        ),
        "MergeView::",
        fallback=True,
    ),
    # ---- GMS: joining (§2.1) ---------------------------------------------------------------------
    _w(
        "gms-join-timeout",
        Kind.JOIN_TIMEOUT,
        r"JOIN\((?P<joiner>" + NAME + r")\) sent to (?P<subject>" + NAME + r") timed out "
        r"\(after (?P<elapsed>\d{1,12}) (?P<unit>ms)\), on try (?P<try>\d{1,9})",
        "all WARN (§2.1)",
        (
            "2024-05-01 10:00:05,000 WARN  [org.jgroups.protocols.pbcast.GMS] (keycloak-cache-init) "
            "kc-1-2: JOIN(kc-1-2) sent to kc-0-1 timed out (after 2000 ms), on try 1",
        ),
        "JOIN(",
        node_prefix=True,
    ),
    _w(
        "gms-too-many-join-attempts",
        Kind.SINGLETON,
        r"too many JOIN attempts \((?P<attempts>\d{1,9})\): becoming singleton",
        "all WARN (§2.1)",
        (
            "2024-05-01 10:00:15,000 WARN  [org.jgroups.protocols.pbcast.GMS] (keycloak-cache-init) "
            "kc-1-2: too many JOIN attempts (10): becoming singleton",
        ),
        "JOIN attempts",
        node_prefix=True,
    ),
    _w(
        "gms-new-coord-36",
        Kind.NEW_COORDINATOR,
        r"members are (?P<members>" + LIST + r"), coord=(?P<subject>" + NAME + r"): I'm the new coord !",
        "3.6 DEBUG, ParticipantGmsImpl (§2.2)",
        ("node-b: members are [node-b, node-c], coord=node-b: I'm the new coord !",),
        "new coord",
        node_prefix=True,
    ),
    _w(
        "gms-new-coordinator",
        Kind.NEW_COORDINATOR,
        r"members are (?P<members>" + LIST + r"), coord=(?P<subject>" + NAME + r"): I'm the new coordinator",
        "4.x+ DEBUG, ParticipantGmsImpl (§2.2)",
        ("kc-1-2: members are [kc-1-2, kc-2-3], coord=kc-1-2: I'm the new coordinator",),
        "new coord",
        node_prefix=True,
    ),
    _w(
        "gms-ack-timeout",
        Kind.ACK_TIMEOUT,
        r"failed to collect all ACKs \(expected=(?P<expected>\d{1,9})\) for view (?P<view_id>" + VIEW_ID + r") "
        r"after (?P<elapsed>\d[\d.,]{0,20}?) ?(?P<unit>ns|us|ms|s|m|h|d), missing (?P<missing>\d{1,9}) ACKs from "
        r"(?P<missing_from>[^\n]{0,200000})",
        "WARN if log_collect_msgs (always in 4.2.x); 3.6 `%dms`, 5.5+ `after %s` (§2.2)",
        (
            "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.pbcast.GMS] (jgroups-5,kc-0-1) "
            "kc-0-1: failed to collect all ACKs (expected=2) for view [kc-0-1|3] after 2000 ms, "
            "missing 1 ACKs from kc-2-3",
            "node-a: failed to collect all ACKs (expected=3) for view [node-a|7] after 2000ms, "
            "missing 2 ACKs from node-b, node-c",
        ),
        "ACKs",
        node_prefix=True,
    ),
    _w(
        "gms-merge-ack-timeout",
        Kind.ACK_TIMEOUT,
        r"failed to collect all ACKs \((?P<expected>\d{1,9})\) for merge view (?P<view_id>" + VIEW_ID + r") "
        r"after (?P<elapsed>\d[\d.,]{0,20}?) ?(?P<unit>ns|us|ms|s|m|h|d), missing ACKs from "
        r"(?P<missing_from>[^\n]{0,200000})",
        "WARN, Merger (§2.3)",
        ("kc-0-1: failed to collect all ACKs (2) for merge view [kc-0-1|8] after 5000 ms, missing ACKs from [kc-1-2]",),
        "ACKs",
        node_prefix=True,
        fields={"merge": True},
    ),
    _w(
        "gms-not-member-of-view",
        Kind.NON_MEMBER_DROP,
        r"not member of view (?P<view_id>" + VIEW_ID + r"); discarding it",
        "WARN with log_view_warnings (default true); prints the view id (§2.2)",
        (
            "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.pbcast.GMS] (jgroups-5,kc-1-2) "
            "kc-1-2: not member of view [kc-0-1|4]; discarding it",
        ),
        "not member of",
        node_prefix=True,
        fields={"reason": "not member of view"},
    ),
    _w(
        "gms-not-member-will-not-install",
        Kind.NON_MEMBER_DROP,
        r"I'm not member of (?P<view>)(?=[^\n]{0,200000}, will not install view)",
        "all ERROR, ClientGmsImpl (§2.1)",
        ("kc-1-2: I'm not member of [kc-0-1|4] (2) [kc-0-1, kc-3-4], will not install view",),
        "not member of",
        node_prefix=True,
        fields={"reason": "not member of view"},
    ),
    _w(
        "gms-coord-suspected",
        Kind.SUSPECT,
        r"I am the coord and I'm being suspected",
        "WARN, CoordGmsImpl (§2.2); the logging node itself is suspected",
        (
            "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.pbcast.GMS] (jgroups-5,kc-0-1) "
            "I am the coord and I'm being suspected -- will probably leave shortly",
        ),
        "being suspected",
        fields={"self": True},
    ),
    # ---- GMS / JChannel addresses (§1, §2.2) --------------------------------------------------------
    _w(
        "jchannel-local-addr",
        Kind.LOCAL_ADDRESS,
        r"local_addr: (?P<uuid>[^\s,()]{1,300}?)(?:\([^()\n]{0,300}\))?, name: (?P<node>" + NAME + r")",
        "JChannel 5.0+ INFO (§1); the only UUID→name map in default logs",
        (
            "2024-05-01 10:00:00,123 INFO  [org.jgroups.JChannel] (keycloak-cache-init) "
            "local_addr: 0b7d5c2e-1f3a-4c8e-9d6b-2a4f8e1c7b90, name: keycloak-0-27846",
        ),
        "local_addr:",
    ),
    _w(
        "gms-address-banner",
        Kind.LOCAL_ADDRESS,
        r"(?:GMS: |(?<![\w.]))address=(?P<node>" + NAME + r"), cluster=(?P<channel>[^\s,]{1,300})"
        r"(?:, physical address=(?P<physical>[^\s,]{1,300}))?",
        "GMS banner on System.out with print_local_addr (3 lines), DEBUG `address=%s, cluster=%s` otherwise (§1, §2.2)",
        (
            "GMS: address=amq-artemis-0-44731, cluster=activemq_broadcast_channel, physical address=172.17.0.5:7800",
            "10:00:00,123 INFO  [stdout] (ServerService Thread Pool -- 60) GMS: address=node-a, cluster=ejb, "
            "physical address=10.1.2.3:7600",
            "2024-05-01 10:00:00,123 DEBUG [org.jgroups.protocols.pbcast.GMS] (main) address=kc-0-1, cluster=ISPN",
        ),
        ", cluster=",
    ),
    # ---- Failure detection (§2.4, all DEBUG) ---------------------------------------------------------
    _w(
        "fd-suspecting",
        Kind.SUSPECT,
        r"(?<![\w])suspecting (?P<subjects>" + LIST + r"|" + NAME + r")",
        "FD_ALL/FD_ALL2 (FailureDetection 4.x+), FD_SOCK, FD_SOCK2 DEBUG (§2.4)",
        (
            "2024-05-01 10:00:00,123 DEBUG [org.jgroups.protocols.FD_ALL3] (Timer runner-2,kc-0-1) "
            "kc-0-1: suspecting [kc-1-2]",
            "node-a: suspecting node-b",
        ),
        "suspecting",
        node_prefix=True,
        node_required=True,
    ),
    _w(
        "fd-unsuspecting",
        Kind.UNSUSPECT,
        r"unsuspecting (?P<subjects>" + LIST + r"|" + NAME + r")",
        "FailureDetection 4.x+ DEBUG (§2.4)",
        ("kc-0-1: unsuspecting kc-1-2",),
        "unsuspecting",
        node_prefix=True,
        node_required=True,
    ),
    _w(
        "fd-all-heartbeat",
        Kind.SUSPECT,
        r"haven't received a heartbeat from (?P<subjects>" + NAME + r") for (?P<elapsed>\d[\d.,]{0,20}) (?P<unit>ms), "
        r"adding it to suspect list",
        "FD_ALL 3.6 (no node prefix) and 4.x+ DEBUG (§2.4)",
        (
            "kc-0-1: haven't received a heartbeat from kc-1-2 for 60012 ms, adding it to suspect list",
            "10:00:00,123 DEBUG [org.jgroups.protocols.FD_ALL] (Timer-2,shared=tcp) "
            "haven't received a heartbeat from node-b for 40003 ms, adding it to suspect list",
        ),
        "suspect list",
        node_prefix=True,
    ),
    _w(
        "fd-all3-heartbeat",
        Kind.SUSPECT,
        r"haven't received a heartbeat from (?P<subjects>" + NAME + r") in timeout period "
        r"\((?P<elapsed>\d{1,12}) (?P<unit>ms)\), adding it to suspect list",
        "FD_ALL3 4.2.1+ DEBUG (§2.4)",
        ("kc-0-1: haven't received a heartbeat from kc-1-2 in timeout period (40000 ms), adding it to suspect list",),
        "suspect list",
        node_prefix=True,
    ),
    _w(
        "fd-sock-broadcast-suspect",
        Kind.SUSPECT,
        r"broadcasting suspect\((?P<subjects>" + LIST + r"|" + NAME + r")\)",
        "FD_SOCK 4.x+ / FD_SOCK2 DEBUG (§2.4)",
        ("kc-0-1: broadcasting suspect(kc-1-2)", "kc-0-4711(v=16.0.8): broadcasting suspect(kc-1-815(v=16.0.8))"),
        "suspect(",
        node_prefix=True,
    ),
    _w(
        "fd-sock-broadcast-unsuspect",
        Kind.UNSUSPECT,
        r"broadcasting unsuspect\((?P<subjects>" + LIST + r"|" + NAME + r")\)",
        "FD_SOCK 4.x+ DEBUG (§2.4)",
        ("kc-0-1: broadcasting unsuspect(kc-1-2)",),
        "unsuspect(",
        node_prefix=True,
    ),
    _w(
        "verify-suspect-dead",
        Kind.SUSPECT,
        r" (?:is|are) dead \(passing up SUSPECT event\)",
        "VERIFY_SUSPECT 4.x+ DEBUG `%s %s dead (passing up SUSPECT event)` (§2.4)",
        (
            "2024-05-01 10:00:00,123 DEBUG [org.jgroups.protocols.VERIFY_SUSPECT] (Timer runner-2,kc-0-1) "
            "[kc-1-2] is dead (passing up SUSPECT event)",
            "[kc-1-2, kc-2-3] are dead (passing up SUSPECT event)",
        ),
        "SUSPECT event",
        subject_before=True,
    ),
    _w(
        "verify-suspect2-sending-up",
        Kind.SUSPECT,
        r"sending up SUSPECT\((?P<subjects>" + LIST + r"|" + NAME + r")\)",
        "VERIFY_SUSPECT2 DEBUG (§2.4)",
        ("kc-0-1: sending up SUSPECT([kc-1-2])",),
        "SUSPECT(",
        node_prefix=True,
    ),
    # ---- Transport / NAKACK2 with JGRP ids (§2.5) ----------------------------------------------------
    _w(
        "jgrp-10-version",
        Kind.VERSION_MISMATCH,
        r"JGRP000010: packet from (?P<subject>\S{1,300}) has different version \((?P<version>[^()\n]{1,60})\) "
        r"than ours \((?P<ours>[^()\n]{1,60})\); packet is discarded",
        "TP WARN, SuppressLog (§2.5)",
        (
            "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.TCP] (TQ-Bundler-7,ISPN,kc-0-1) "
            "JGRP000010: packet from 10.1.2.4:7800 has different version (4.2.5) than ours (4.0.21); "
            "packet is discarded",
        ),
        "JGRP000010",
    ),
    _w(
        "jgrp-11-non-member-old",
        Kind.NON_MEMBER_DROP,
        r"JGRP000011: (?P<node>" + NAME + r"): dropped message (?P<seqno>[^\s]{1,60}) from non-member "
        r"(?P<subject>" + NAME + r") \(view=(?P<view>)",
        "≤5.3.7 NAKACK2 WARN, SuppressLog (§2.5); the view is the dropping node's",
        (
            "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.pbcast.NAKACK2] (jgroups-5,kc-0-1) "
            "JGRP000011: kc-0-1: dropped message 42 from non-member kc-9-9 (view=[kc-0-1|3] (2) [kc-0-1, kc-1-2])",
            "JGRP000011: kc-0-1: dropped message batch from non-member kc-9-9 (view=[kc-0-1|3] (2) [kc-0-1, kc-1-2]) "
            "(received 7 identical messages from kc-9-9 in the last 60000 ms)",
        ),
        "JGRP000011",
    ),
    _w(
        "jgrp-11-non-member",
        Kind.NON_MEMBER_DROP,
        r"JGRP000011: (?P<node>" + NAME + r"): dropped message from non-member (?P<subject>" + NAME + r") "
        r"\(view=(?P<view>)",
        "5.3.8+ NAKACK2 WARN, SuppressLog (§2.5)",
        (
            "JGRP000011: kc-0-1: dropped message from non-member kc-9-9 (view=[kc-0-1|3] (2) [kc-0-1, kc-1-2]) "
            "(5 suppressed messages in the last 60s)",
        ),
        "JGRP000011",
    ),
    _w(
        "jgrp-12-different-cluster",
        Kind.DIFFERENT_CLUSTER,
        r"JGRP000012: discarded message from different cluster (?P<cluster>\S{1,300}) "
        r"\(our cluster is (?P<our_cluster>\S{1,300}?)\)\. Sender was (?P<subject>" + NAME + r")",
        "TP WARN, SuppressLog (§2.5)",
        (
            "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.UDP] (thread-5,ISPN,kc-0-1) "
            "JGRP000012: discarded message from different cluster other (our cluster is ISPN). Sender was app-1-7",
        ),
        "JGRP000012",
    ),
    _w(
        "jgrp-13-different-cluster-batch",
        Kind.DIFFERENT_CLUSTER,
        r"JGRP000013: discarded message batch from different cluster (?P<cluster>\S{1,300}) "
        r"\(our cluster is (?P<our_cluster>\S{1,300}?)\)\. Sender was (?P<subject>" + NAME + r")",
        "TP WARN (§2.5)",
        ("JGRP000013: discarded message batch from different cluster other (our cluster is ISPN). Sender was app-1-7",),
        "JGRP000013",
    ),
    _w(
        "jgrp-32-no-physical-address",
        Kind.NO_PHYSICAL_ADDRESS,
        r"JGRP000032: (?P<node>" + NAME + r"): no physical address for (?P<subject>" + NAME + r"), dropping message",
        "TP WARN (§2.5)",
        (
            "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.TCP] (jgroups-5,kc-0-1) "
            "JGRP000032: kc-0-1: no physical address for 0b7d5c2e-1f3a-4c8e-9d6b-2a4f8e1c7b90, dropping message",
        ),
        "JGRP000032",
    ),
    _w(
        "jgrp-29-send-failed",
        Kind.SEND_FAILED,
        r"JGRP000029: (?P<node>" + NAME + r"): failed sending message to (?P<subject>\S{1,300}) "
        r"\((?P<bytes>\d{1,12}) bytes\): (?P<reason>[^\n]{0,2000}?)(?=, headers: |\n|$)",
        "TP WARN (TRACE in 5.3) (§2.5)",
        (
            "JGRP000029: kc-0-1: failed sending message to kc-1-2 (123 bytes): java.net.ConnectException: "
            "Connection refused, headers: GMS: GmsHeader[VIEW], UNICAST3: DATA, seqno=1, TP: [cluster=ISPN]",
        ),
        "JGRP000029",
    ),
    _w(
        "jgrp-34-send-failed",
        Kind.SEND_FAILED,
        r"JGRP000034: (?P<node>" + NAME + r"): failure sending message to (?P<subject>\S{1,300}?): "
        r"(?P<reason>[^\n]{0,2000})",
        "UDP WARN (§2.5)",
        ("JGRP000034: node-a: failure sending message to 10.1.2.4:45588: java.io.IOException: Operation not permitted",),
        "JGRP000034",
    ),
    _w(
        "jgrp-6-accept-failed",
        Kind.ACCEPT_FAILED,
        r"JGRP000006: (?:(?P<node>" + NAME + r"): )?failed accepting connection from peer"
        r"(?: (?P<subject>\S{1,300}?)(?=: |\s|$))?(?:: (?P<reason>[^\n]{0,2000}))?",
        "3.6/4.0 no peer, 4.2 `from peer %s: %s`, 5.2+ `%s: failed accepting connection from peer %s: %s` (§2.5)",
        (
            "10:00:00,123 WARN  [org.jgroups.protocols.TCP] (Acceptor,ee,node-a) JGRP000006: failed accepting connection from peer",
            "JGRP000006: failed accepting connection from peer Socket[addr=/10.1.2.9,port=51234,localport=7800]: "
            "java.io.IOException: BaseServer.TcpConnection.readPeerAddress(): cookie sent by "
            "/10.1.2.9:51234 does not match own cookie; terminating connection",
            "JGRP000006: kc-0-1: failed accepting connection from peer Socket[addr=/10.1.2.9,port=51234,"
            "localport=7800]: java.io.EOFException",
        ),
        "JGRP000006",
    ),
    _w(
        "jgrp-26-only-loopback",
        Kind.BIND_PROBLEM,
        r"JGRP000026: unable to find an address other than loopback for IP version (?P<ip_version>\S{1,20})",
        "all (jg-messages.properties OnlyLoopbackFound)",
        ("JGRP000026: unable to find an address other than loopback for IP version IPv4",),
        "JGRP000026",
        fields={"reason": "only loopback address found"},
    ),
    _w(
        "send-failed",
        Kind.SEND_FAILED,
        r"failed sending message to (?P<subject>[^\s()]{1,300}?(?:\([^()\n]{0,300}\))?): (?P<reason>[^\n]{0,2000})",
        "5.x ERROR from PerDestinationBundler / NioConnection, no id (§2.5)",
        (
            "2024-05-01 10:00:00,123 ERROR [org.jgroups.protocols.TCP] (pd-bundler-5,kc-0-1) "
            "kc-0-1: failed sending message to kc-1-2: java.net.ConnectException: Connection refused",
            "kc-0-1: failed sending message to 10.1.2.4:7800: java.net.SocketTimeoutException: Connect timed out",
        ),
        "sending message",
        node_prefix=True,
        node_required=True,
    ),
    # ---- Discovery (§2.6) -------------------------------------------------------------------------------
    _w(
        "keycloak-image-discovery",
        Kind.DISCOVERY_TARGETS,
        r"Setting JGroups discovery to (?P<protocol>[^\s{}]{1,200}) with properties \{(?P<properties>[^\n{}]{0,5000})\}",
        "jboss/keycloak (≤16) container image start script, stdout",
        (
            "Setting JGroups discovery to dns.DNS_PING with properties {dns_query=>keycloak-demo.demo.svc.cluster.local}",
            "10:00:00,000 INFO  [stdout] (main) Setting JGroups discovery to kubernetes.KUBE_PING with properties "
            "{namespace=>auth, labels=>app=keycloak}",
        ),
        "Setting JGroups discovery",
    ),
    _w(
        "discovery-different-cluster",
        Kind.DIFFERENT_CLUSTER,
        r"discarding discovery request for cluster '(?P<cluster>[^'\n]{0,300})' from (?P<subject>" + NAME + r"); "
        r"our cluster name is '(?P<our_cluster>[^'\n]{0,300})'",
        "Discovery WARN, all; the `%s:` prefix is the sender, not the local node (§2.6)",
        (
            "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.dns.DNS_PING] (jgroups-5,kc-0-1) "
            "app-1-7: discarding discovery request for cluster 'other' from app-1-7; our cluster name is 'ISPN'. "
            "Please separate your clusters properly",
        ),
        "discovery request",
    ),
    _w(
        "kube-ping-json-failed",
        Kind.DISCOVERY_ERROR,
        r"failed getting JSON response from Kubernetes",
        "KUBE_PING (jgroups-kubernetes 1.0.x–3.0) WARN; once per failure streak from 1.0.16 (§2.6)",
        (
            "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.kubernetes.KUBE_PING] (main) "
            "failed getting JSON response from Kubernetes Client[masterUrl=https://172.30.0.1:443/api/v1, "
            "headers={Authorization=#MASKED:862#}, connectTimeout=5000, readTimeout=30000, operationAttempts=3, "
            "operationSleep=1000, streamProvider=org.jgroups.protocols.kubernetes.stream.TokenStreamProvider@1] "
            "for cluster [ISPN], namespace [auth], labels [app=keycloak]; encountered [java.lang.Exception: "
            "3 attempt(s) with a 1000ms sleep to execute [OpenStream] failed. Last failure was "
            "[java.io.IOException: Server returned HTTP response code: 403 for URL: "
            "https://172.30.0.1:443/api/v1/namespaces/auth/pods?labelSelector=app%3Dkeycloak]]",
        ),
        "from Kubernetes",
        extras=_KUBE_EXTRAS,
        fields={"protocol": "KUBE_PING"},
    ),
    _w(
        "openshift-kube-ping-pod-json",
        Kind.DISCOVERY_ERROR,
        r"Problem getting Pod json from Kubernetes",
        "openshift.KUBE_PING (openshift-ping, EAP/WildFly images) WARN (§2.6)",
        (
            "WARN  [org.jgroups.protocols.openshift.KUBE_PING] (ServerService Thread Pool -- 69) Problem getting "
            "Pod json from Kubernetes Client[masterUrl=https://172.30.0.1:443/api/v1, headers={}, "
            "connectTimeout=5000, readTimeout=30000, operationAttempts=3, operationSleep=1000, "
            "streamProvider=org.openshift.ping.common.stream.TokenStreamProvider@13e58e86] for cluster [ee], "
            "namespace [eap-transactions], labels [app=tx-server]; encountered [java.lang.Exception: "
            "3 attempt(s) with a 1000ms sleep to execute [OpenStream] failed. Last failure was "
            "[java.io.IOException: Server returned HTTP response code: 403 for URL: "
            "https://172.30.0.1:443/api/v1/namespaces/eap-transactions/pods?labelSelector=app%3Dtx-server]]",
        ),
        "Pod json",
        extras=_KUBE_EXTRAS,
        fields={"protocol": "KUBE_PING"},
    ),
    _w(
        "kube-ping-namespace-not-set",
        Kind.DISCOVERY_ERROR,
        r"namespace not set; clustering disabled",
        "KUBE_PING WARN (§2.6)",
        (
            "2024-05-01 10:00:00,123 WARN  [org.jgroups.protocols.kubernetes.KUBE_PING] (main) "
            "namespace not set; clustering disabled",
        ),
        "; clustering disabled",
        fields={"protocol": "KUBE_PING", "reason": "namespace not set; clustering disabled"},
    ),
    _w(
        "kube-ping-namespace-set",
        Kind.DISCOVERY_TARGETS,
        r"namespace (?P<namespace>[^\s;]{1,300}) set; clustering enabled",
        "KUBE_PING INFO (§2.6)",
        (
            "2024-05-01 10:00:00,123 INFO  [org.jgroups.protocols.kubernetes.KUBE_PING] (main) "
            "namespace auth set; clustering enabled",
        ),
        "; clustering enabled",
        fields={"protocol": "KUBE_PING"},
    ),
    _w(
        "dns-ping-entries",
        Kind.DNS_ENTRIES,
        r"(?<!no )entries collected from DNS \(in (?P<elapsed>\d{1,12}) (?P<unit>ms)\): (?P<entries>[^\n]{0,200000})",
        "DNS_PING 4.0.0+ DEBUG (§2.6)",
        (
            "2024-05-01 10:00:00,123 DEBUG [org.jgroups.protocols.dns.DNS_PING] (keycloak-cache-init) "
            "kc-0-1: entries collected from DNS (in 3 ms): [10.1.2.3:0, 10.1.2.4:0]",
        ),
        "from DNS",
        node_prefix=True,
        fields={"protocol": "DNS_PING"},
    ),
    _w(
        "dns-ping-no-entries",
        Kind.DNS_ENTRIES,
        r"no entries collected from DNS(?: \(in (?P<elapsed>\d{1,12}) (?P<unit>ms)\))?",
        "DNS_PING 4.0.0+ DEBUG (§2.6)",
        ("kc-0-1: no entries collected from DNS (in 5 ms)",),
        "from DNS",
        node_prefix=True,
        fields={"protocol": "DNS_PING", "entries": ()},
    ),
    _w(
        "dns-ping-sending-requests",
        Kind.DISCOVERY_TARGETS,
        r"sending discovery requests to hosts (?P<hosts>[^\n]{0,200000}?) on ports "
        r"\[(?P<port_lo>\d{1,5}) \.\. (?P<port_hi>\d{1,5})\]",
        "DNS_PING DEBUG (§2.6)",
        ("kc-0-1: sending discovery requests to hosts [10.1.2.3:0, 10.1.2.4:0] on ports [7800 .. 7800]",),
        "discovery request",
        node_prefix=True,
        fields={"protocol": "DNS_PING"},
    ),
    _w(
        "dns-ping-request-failed",
        Kind.DISCOVERY_ERROR,
        r"sending discovery request to (?P<subject>\S{1,300}?) failed(?:: (?P<reason>[^\n]{0,2000}))?",
        "DNS_PING ERROR (§2.6)",
        ("kc-0-1: sending discovery request to 10.1.2.4:7800 failed: java.net.ConnectException: Connection refused",),
        "discovery request",
        node_prefix=True,
        fields={"protocol": "DNS_PING"},
    ),
    _w(
        "tcpping-unresolved",
        Kind.DISCOVERY_ERROR,
        r"unable to resolve the following hostnames: (?P<hosts>[^\n]{0,200000})",
        "TCPPING 4.x+ WARN (§2.6)",
        ("unable to resolve the following hostnames: [kc-1.kc-headless.auth.svc.cluster.local]",),
        "hostnames",
        node_prefix=True,
        fields={"protocol": "TCPPING", "reason": "unresolved hostnames"},
    ),
    _w(
        "jdbc-ping-115",
        Kind.DISCOVERY_ERROR,
        r"JGRP000115: Could not open connection to database",
        "JDBC_PING ERROR (§2.6)",
        ("ERROR [org.jgroups.protocols.JDBC_PING] (main) JGRP000115: Could not open connection to database",),
        "JGRP000115",
        fields={"protocol": "JDBC_PING", "reason": "could not open connection to database"},
    ),
    _w(
        "jdbc-ping-138",
        Kind.DISCOVERY_ERROR,
        r"JGRP000138: Error reading JDBC_PING table",
        "JDBC_PING ERROR (§2.6)",
        ("JGRP000138: Error reading JDBC_PING table",),
        "JGRP000138",
        fields={"protocol": "JDBC_PING", "reason": "error reading JDBC_PING table"},
    ),
    _w(
        "jdbc-ping-215",
        Kind.DISCOVERY_ERROR,
        r"JGRP000215: Failed to delete PingData in database",
        "JDBC_PING ERROR (§2.6)",
        ("JGRP000215: Failed to delete PingData in database",),
        "JGRP000215",
        fields={"protocol": "JDBC_PING", "reason": "failed to delete PingData in database"},
    ),
    _w(
        "jdbc-ping-220",
        Kind.DISCOVERY_ERROR,
        r"JGRP000220: Failed to store PingData in database",
        "JDBC_PING ERROR (§2.6)",
        ("JGRP000220: Failed to store PingData in database",),
        "JGRP000220",
        fields={"protocol": "JDBC_PING", "reason": "failed to store PingData in database"},
    ),
    _w(
        "jdbc-ping2-write-failed",
        Kind.DISCOVERY_ERROR,
        r"failed writing to DB(?:: (?P<reason>[^\n]{0,2000}))?",
        "JDBC_PING2 5.3.7+ / KEYCLOAK_JDBC_PING2 ERROR (§2.6, §5)",
        ("kc-0-1: failed writing to DB: org.postgresql.util.PSQLException: Connection refused",),
        "to DB",
        node_prefix=True,
        node_required=True,
        fields={"protocol": "JDBC_PING2"},
    ),
    _w(
        "jdbc-ping2-read-failed",
        Kind.DISCOVERY_ERROR,
        r"failed reading from the DB",
        "JDBC_PING2 ERROR (§2.6)",
        ("kc-0-1: failed reading from the DB",),
        "the DB",
        node_prefix=True,
        node_required=True,
        fields={"protocol": "JDBC_PING2", "reason": "failed reading from the DB"},
    ),
    _w(
        "jdbc-ping2-delete-failed",
        Kind.DISCOVERY_ERROR,
        r"failed deleting (?P<subject>" + NAME + r") from the table",
        "JDBC_PING2 ERROR (§2.6)",
        ("kc-0-1: failed deleting kc-9-9 from the table",),
        "from the table",
        node_prefix=True,
        node_required=True,
        fields={"protocol": "JDBC_PING2", "reason": "failed deleting from the table"},
    ),
    _w(
        "keycloak-jdbc-ping2-view-change",
        Kind.DISCOVERY_ERROR,
        r"failed handling view change",
        "KEYCLOAK_JDBC_PING2 ERROR (§5)",
        (
            "2025-01-01 10:00:00,123 ERROR [org.keycloak.jgroups.protocol.KEYCLOAK_JDBC_PING2] (jgroups-5,kc-0-1) "
            "kc-0-1: failed handling view change",
        ),
        "handling view change",
        node_prefix=True,
        node_required=True,
        fields={"protocol": "KEYCLOAK_JDBC_PING2", "reason": "failed handling view change"},
    ),
    _w(
        "keycloak-jdbc-ping2-fetch-failed",
        Kind.DISCOVERY_ERROR,
        r"Failed to fetch the cluster members from the database\.",
        "KEYCLOAK_JDBC_PING2 WARN (§5)",
        (
            "2025-01-01 10:00:00,123 WARN  [org.keycloak.jgroups.protocol.KEYCLOAK_JDBC_PING2] (jgroups-5,kc-0-1) "
            "Failed to fetch the cluster members from the database.",
        ),
        "from the database",
        fields={"protocol": "KEYCLOAK_JDBC_PING2", "reason": "failed to fetch the cluster members from the database"},
    ),
    # ---- Channel creation errors (diagnostics R15) -----------------------------------------------------
    _w(
        "ispn-85-channel-error",
        Kind.CHANNEL_ERROR,
        r"ISPN000085: Error while trying to create a channel(?P<reason>[^\n]{0,2000})",
        "Infinispan Log id 85 `... using the specified configuration file: %s` (R15)",
        (
            "ISPN000085: Error while trying to create a channel using the specified configuration file: "
            "default-configs/default-jgroups-kubernetes.xml",
        ),
        "ISPN000085",
    ),
    _w(
        "ispn-541-channel-error",
        Kind.CHANNEL_ERROR,
        r"ISPN000541: Error while trying to create a channel(?P<reason>[^\n]{0,2000})",
        "Infinispan Log id 541 `... using the specified configuration '%s'` (R15)",
        ("ISPN000541: Error while trying to create a channel using the specified configuration 'kubernetes'",),
        "ISPN000541",
    ),
    _w(
        "dns-query-empty",
        Kind.CHANNEL_ERROR,
        r"dns_query can not be null or empty",
        "DNS_PING init exception (R15)",
        (
            "Caused by: java.lang.IllegalArgumentException: dns_query can not be null or empty",
            '{"timestamp":"2025-01-01T10:00:00.123Z","level":"ERROR","message":"java.lang.IllegalArgumentException: '
            'dns_query can not be null or empty"}',

        ),
        "dns_query",
        fields={"protocol": "DNS_PING", "reason": "dns_query can not be null or empty"},
    ),
    # ---- Version mismatch (diagnostics R6) ---------------------------------------------------------------
    _w(
        "unsupported-protocol-version",
        Kind.VERSION_MISMATCH,
        r"Unsupported protocol version(?: (?P<version>[^\s,;)]{1,60}))?",
        "ISPN000217 remote exception text (R6)",
        (
            "ISPN000217: Received exception from kc-1-2, see cause for remote stack trace "
            "org.infinispan.commons.CacheException: Unsupported protocol version 36",
        ),
        "protocol version",
        fields={"reason": "unsupported protocol version"},
    ),
    _w(
        "ispn-475-unknown-type",
        Kind.VERSION_MISMATCH,
        r"ISPN000475: (?P<reason>[^\n]{0,2000})",
        "Infinispan marshalling `Unknown type` (R6)",
        ("ISPN000475: Unknown type. Id=135",),
        "ISPN000475",
    ),
    _w(
        "invalid-magic-number",
        Kind.VERSION_MISMATCH,
        r"invalid magic number(?P<reason>[^\n]{0,500})",
        "JGroups/Infinispan unmarshalling (R6)",
        ("java.io.IOException: invalid magic number (0x1234); packet is discarded",),
        "magic number",
    ),
    # ---- Infinispan event logger (§3.3) --------------------------------------------------------------------
    _w(
        "ispn-100000-joined",
        Kind.NODE_JOINED,
        r"ISPN100000: Node (?P<subject>" + NAME + r") joined the cluster",
        "9.x→16 INFO; twice per member in 14+ (§3.3)",
        (
            "2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (jgroups-6,kc-0-1) "
            "ISPN100000: Node kc-1-2 joined the cluster",
            "[Context=sessions][Scope=node-a]ISPN100000: Node node-b joined the cluster",
        ),
        "ISPN100000",
        event_logger=True,
    ),
    _w(
        "ispn-100001-left",
        Kind.NODE_LEFT,
        r"ISPN100001: Node (?P<subject>" + NAME + r") left the cluster",
        "9.x→16 INFO (§3.3)",
        (
            "2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (jgroups-6,kc-0-1) "
            "ISPN100001: Node kc-1-2 left the cluster",
        ),
        "ISPN100001",
        event_logger=True,
    ),
    _w(
        "ispn-100002-rebalance-members",
        Kind.TOPOLOGY,
        r"ISPN100002: Starting rebalance with members (?P<members>" + LIST + r"), phase (?P<phase>[A-Z_]{1,60}), "
        r"topology id (?P<topology_id>\d{1,12})",
        "9.3+ INFO (§3.3)",
        (
            "2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (non-blocking-thread--p2-t26) "
            "[Context=sessions] ISPN100002: Starting rebalance with members [kc-0-1, kc-1-2], "
            "phase READ_OLD_WRITE_ALL, topology id 5",
        ),
        "ISPN100002",
        event_logger=True,
        fields={"event": "rebalance_start"},
    ),
    _w(
        "ispn-100002-rebalance-topology",
        Kind.TOPOLOGY,
        r"ISPN100002: Started rebalance with topology id (?P<topology_id>\d{1,12})",
        "9.0.2, 9.1–9.2 INFO (§3.3)",
        ("[Context=sessions][Scope=node-a]ISPN100002: Started rebalance with topology id 7",),
        "ISPN100002",
        event_logger=True,
        fields={"event": "rebalance_start"},
    ),
    _w(
        "ispn-100002-local-rebalance",
        Kind.TOPOLOGY,
        r"ISPN100002: Started local rebalance",
        "8.2 / 9.0.3 INFO (§3.3)",
        ("[Context=sessions][Scope=node-a]ISPN100002: Started local rebalance",),
        "ISPN100002",
        event_logger=True,
        fields={"event": "rebalance_start"},
    ),
    _w(
        "ispn-100008-members",
        Kind.TOPOLOGY,
        r"ISPN100008: Updating cache members list (?P<members>" + LIST + r"), topology id (?P<topology_id>\d{1,12})",
        "INFO (§3.3)",
        ("[Context=actionTokens] ISPN100008: Updating cache members list [kc-0-1], topology id 9",),
        "ISPN100008",
        event_logger=True,
        fields={"event": "members_update"},
    ),
    _w(
        "ispn-100010-rebalance-finished",
        Kind.TOPOLOGY,
        r"ISPN100010: Finished rebalance with members (?P<members>" + LIST + r"), topology id (?P<topology_id>\d{1,12})",
        "INFO (§3.3)",
        ("[Context=sessions] ISPN100010: Finished rebalance with members [kc-0-1, kc-1-2], topology id 8",),
        "ISPN100010",
        event_logger=True,
        fields={"event": "rebalance_finished"},
    ),
    _w(
        "ispn-100016-rebalance-failed",
        Kind.TOPOLOGY,
        r"ISPN100016: Rebalance failed with members (?P<members>" + LIST + r"), topology id (?P<topology_id>\d{1,12})"
        r" and cause (?P<reason>[^\n]{0,2000})",
        "14.0+ (§3.3)",
        (
            "[Context=sessions] ISPN100016: Rebalance failed with members [kc-0-1, kc-1-2], topology id 6 and cause "
            "org.infinispan.util.concurrent.TimeoutException: ISPN000476: Timed out waiting for responses",
        ),
        "ISPN100016",
        event_logger=True,
        fields={"event": "rebalance_failed"},
    ),
    _w(
        "ispn-100007-recovered",
        Kind.RECOVERED,
        r"ISPN100007: After merge \(or coordinator change\), recovered members (?P<members>" + LIST + r") "
        r"with topology id (?P<topology_id>\d{1,12})",
        "INFO (§3.3)",
        (
            "[Context=sessions] ISPN100007: After merge (or coordinator change), recovered members "
            "[kc-0-1, kc-1-2] with topology id 12",
        ),
        "ISPN100007",
        event_logger=True,
    ),
    _w(
        "ispn-100004-recovery-failed",
        Kind.RECOVERY_FAILED,
        r"ISPN100004: After merge \(or coordinator change\), the coordinator failed to recover cluster\. "
        r"Cluster members are (?P<members>" + LIST + r")",
        "(§3.3)",
        (
            "[Context=sessions] ISPN100004: After merge (or coordinator change), the coordinator failed to "
            "recover cluster. Cluster members are [kc-0-1, kc-1-2].",
        ),
        "ISPN100004",
        event_logger=True,
    ),
    _w(
        "ispn-100011-availability",
        Kind.AVAILABILITY,
        r"ISPN100011: Entering availability mode (?P<mode>[A-Z_]{1,40}), topology id (?P<topology_id>\d{1,12})",
        "INFO (§3.3)",
        ("[Context=sessions] ISPN100011: Entering availability mode DEGRADED_MODE, topology id 11",),
        "ISPN100011",
        event_logger=True,
    ),
    _w(
        "ispn-314-lost-half",
        Kind.LOST_MEMBERS,
        r"ISPN000314: Lost at least half of the stable members, possible split brain causing data inconsistency\. "
        r"Current members are (?P<members>" + LIST + r"), lost members are (?P<lost>" + LIST + r"), "
        r"stable members are (?P<stable>" + LIST + r")",
        "WARN, PreferAvailabilityStrategy (§3.3)",
        (
            "2024-05-01 10:00:00,123 WARN  [org.infinispan.CLUSTER] (non-blocking-thread--p2-t3) "
            "[Context=sessions] ISPN000314: Lost at least half of the stable members, possible split brain causing "
            "data inconsistency. Current members are [kc-0-1], lost members are [kc-1-2, kc-2-3], "
            "stable members are [kc-0-1, kc-1-2, kc-2-3]",
        ),
        "ISPN000314",
        event_logger=True,
    ),
    _w(
        "ispn-318-lost-half-degraded",
        Kind.LOST_MEMBERS,
        r"ISPN000318: Lost at least half of the stable members, assuming a network split and entering degraded mode\. "
        r"Current members are (?P<members>" + LIST + r"), lost members are (?P<lost>" + LIST + r"), "
        r"stable members are (?P<stable>" + LIST + r")",
        "ERROR, PreferConsistencyStrategy (§3.3)",
        (
            "[Context=sessions] ISPN000318: Lost at least half of the stable members, assuming a network split and "
            "entering degraded mode. Current members are [kc-0-1], lost members are [kc-1-2], "
            "stable members are [kc-0-1, kc-1-2]",
        ),
        "ISPN000318",
        event_logger=True,
        fields={"degraded": True},
    ),
    _w(
        "ispn-319-320-still-degraded",
        Kind.LOST_MEMBERS,
        r"(?P<ispn_id>ISPN0003(?:19|20)): After merge \(or coordinator change\), cache still hasn't recovered "
        r"(?:all its data|a majority of members) and must stay in degraded mode\. "
        r"Current members are (?P<members>" + LIST + r"), lost members are (?P<lost>" + LIST + r"), "
        r"stable members are (?P<stable>" + LIST + r")",
        "(§3.3)",
        (
            "[Context=sessions] ISPN000319: After merge (or coordinator change), cache still hasn't recovered all "
            "its data and must stay in degraded mode. Current members are [kc-0-1, kc-1-2], lost members are "
            "[kc-2-3], stable members are [kc-0-1, kc-1-2, kc-2-3]",
            "[Context=sessions] ISPN000320: After merge (or coordinator change), cache still hasn't recovered a "
            "majority of members and must stay in degraded mode. Current members are [kc-0-1], lost members are "
            "[kc-1-2], stable members are [kc-0-1, kc-1-2]",
        ),
        "ISPN0003",
        event_logger=True,
        fields={"degraded": True},
    ),
    _w(
        "ispn-312-316-graceful-leaver",
        Kind.DATA_LOST,
        r"(?P<ispn_id>ISPN0003(?:12|16)): Lost data because of graceful leaver (?P<lost>" + LIST + r"|" + NAME + r")"
        r"(?P<degraded>, entering degraded mode)?",
        "312 WARN (PreferAvailability), 316 WARN (PreferConsistency) (§3.3)",
        (
            "[Context=sessions] ISPN000312: Lost data because of graceful leaver kc-1-2",
            "[Context=sessions] ISPN000316: Lost data because of graceful leaver kc-1-2, entering degraded mode",
        ),
        "ISPN0003",
        event_logger=True,
    ),
    _w(
        "ispn-313-317-abrupt-leavers",
        Kind.DATA_LOST,
        r"(?P<ispn_id>ISPN0003(?:13|17)): Lost data because of abrupt leavers (?P<lost>" + LIST + r")"
        r"(?P<degraded>, assuming a network split and entering degraded mode)?",
        "313 (PreferAvailability), 317 ERROR (PreferConsistency) (§3.3)",
        (
            "[Context=sessions] ISPN000313: Lost data because of abrupt leavers [kc-1-2]",
            "[Context=sessions] ISPN000317: Lost data because of abrupt leavers [kc-1-2, kc-2-3], assuming a "
            "network split and entering degraded mode",
        ),
        "ISPN0003",
        event_logger=True,
    ),
    # ---- Keycloak (§5, diagnostics R17) -----------------------------------------------------------------
    _w(
        "keycloak-node-name",
        Kind.NODE_NAME,
        r"Node name: (?P<subject>[^\s,]{1,300}), Site name: (?P<site>[^\s,]{0,300})"
        r"(?:, Cluster name: (?P<cluster>[^\s,]{0,300}))?",
        "DefaultInfinispanConnectionProviderFactory INFO; `, Cluster name:` in newer NodeInfo (§5)",
        (
            "2024-05-01 10:00:00,123 INFO  [org.keycloak.connections.infinispan.DefaultInfinispanConnectionProviderFactory] "
            "(main) Node name: keycloak-0-27846, Site name: null",
            "Node name: kc-0-4711, Site name: site1, Cluster name: ISPN",
        ),
        "Node name: ",
    ),
    _w(
        "keycloak-event-error",
        Kind.USER_SYMPTOM,
        r"(?<![\w])type=\"?(?P<type>[A-Z_]{1,60}_ERROR)\"?,",
        "Keycloak event logger (org.keycloak.events) WARN; quoted values in newer versions (R17)",
        (
            "2025-01-01 10:00:00,123 WARN  [org.keycloak.events] (executor-thread-5) "
            'type="CODE_TO_TOKEN_ERROR", realmId="1b2c", realmName="acme", clientId="web", userId="null", '
            'sessionId="3f9a", ipAddress="10.0.0.9", error="expired_code", grant_type="authorization_code", '
            'code_id="3f9a", client_auth_method="client-secret"',
            "10:00:00,123 WARN  [org.keycloak.events] (default task-12) type=CODE_TO_TOKEN_ERROR, realmId=acme, "
            "clientId=web, userId=null, ipAddress=10.0.0.9, error=invalid_code, grant_type=authorization_code, "
            "code_id=3f9a, client_auth_method=client-secret",
            'type="REFRESH_TOKEN_ERROR", realmId="1b2c", clientId="web", userId="u1", ipAddress="10.0.0.9", '
            'error="invalid_token", reason="Session doesn\'t have required client", grant_type="refresh_token"',
            "type=REFRESH_TOKEN_ERROR, realmId=acme, clientId=web, userId=null, ipAddress=10.0.0.9, "
            "error=user_session_not_found, grant_type=refresh_token",
        ),
        "_ERROR",
        extras=tuple(_kc_field(k) for k in ("error", "reason", "realmId", "realmName", "clientId")),
    ),
    _w(
        "keycloak-session-missing-client",
        Kind.USER_SYMPTOM,
        regex.escape(MISSING_CLIENT),
        "Keycloak TokenManager refresh failure text (R17)",
        ("WARN  [org.keycloak.protocol.oidc.TokenManager] (executor-thread-3) Session doesn't have required client",),
        "required client",
        fallback=True,
        fields={"symptom": MISSING_CLIENT},
    ),
) + tuple(
    _w(
        f"keycloak-error-{code.replace('_', '-')}",
        Kind.USER_SYMPTOM,
        r"(?<![\w])error=\"?(?P<symptom>" + code + r")(?![\w])",
        "Keycloak error fields outside an event line (R17)",
        (f'WARN  [org.keycloak.services] (executor-thread-1) KC-SERVICES0013: Failed authentication: error="{code}"',),
        code,
        fallback=True,
    )
    for code in sorted(SYMPTOM_ERRORS)
)


SUPPRESSED = lazy_regex(
    r"\(received (?P<suppressed>\d{1,12}) identical messages from (?P<suppressed_from>[^\n]{1,300}?) "
    r"in the last (?P<suppressed_ms>\d{1,12}) ms\)"
    r"|\((?P<suppressed2>\d{1,12}) suppressed messages in the last (?P<suppressed_for>[^()\n]{1,40})\)"
)
"""SuppressLog suffixes: ≤5.3.7 ``(received N identical messages from X in the last N ms)``,
5.3.8+ ``(N suppressed messages in the last 60s)`` → ``detail["suppressed"]``."""


# ------------------------------------------------------------------------------------------------
# The prefilter

CANDIDATE_WORDS: tuple[str, ...] = (
    "ISPN000",
    "ISPN1000",
    "JGRP000",
    "creating cluster",
    "created cluster",
    "installing view",
    "installing merge view",
    "MergeView::",
    "local_addr:",
    ", cluster=",
    "JOIN(",
    "JOIN attempts",
    "new coord",
    "ACKs",
    "not member of",
    "being suspected",
    "suspect",
    "SUSPECT",
    "sending message",
    "discovery request",
    "from Kubernetes",
    "Pod json",
    "; clustering",
    "from DNS",
    "hostnames",
    "to DB",
    "the DB",
    "from the table",
    "from the database",
    "handling view change",
    "dns_query",
    "create a channel",
    "protocol version",
    "magic number",
    "Node name: ",
    "Setting JGroups discovery",
    "stopped in ",
    "WFLYSRV0050",
    "_ERROR",
    "expired_code",
    "invalid_code",
    "user_session_not_found",
    "required client",
)
"""Literals of which every line that can hold a membership event contains at least one."""

CANDIDATE: str = "|".join(re.escape(w) for w in CANDIDATE_WORDS)
"""The candidate words as a regular expression (alternation of literals): every candidate line
matches it (:func:`is_candidate` then also wants a keyword)."""



_FREQUENT_WORDS = ("ISPN000", "ISPN1000", "JGRP000", "expired_code")
"""The words of most candidate lines (Infinispan and JGroups ids, Keycloak's symptom events)."""

_CANDIDATE_CHECK: tuple[str, ...] = _FREQUENT_WORDS + tuple(
    w for w in CANDIDATE_WORDS
    if w not in _FREQUENT_WORDS and not any(o != w and o in w for o in CANDIDATE_WORDS)
)
"""The words :func:`is_candidate` tests, the frequent ones first; a word that contains another
(``being suspected``, ``suspect``) is left out: the shorter one finds its lines."""


def is_candidate(line: str) -> bool:
    """True when ``line`` may hold a membership event (cheap; run on every line): it holds one of
    :data:`CANDIDATE_KEYWORDS`.

    First the keywords of the few words of most candidate lines (:data:`_FREQUENT_WORDS`: a
    candidate line of a busy log is usually found here, with a few ``in`` tests); then, with the
    native scanner (``jgview._scan``, the fast reader's), one call looks for all the other
    keywords at once: ≈0.4 µs for a 250-character line that holds none, where the loop of ``in``
    tests of :func:`_is_candidate_words` (one pass over the line per word) takes ≈5 µs. Without it
    (not built, ``JGVIEW_SCANNER=grep``), or for a line that is not UTF-8 encodable (lone
    surrogates): that loop. All give the same answer (tests compare them). Every reader (the
    straightforward one, and the fast scanner's windows) takes the same lines as candidates, so
    they give the same records.
    """
    for word in _FREQUENT_WORDS:
        if word in line:
            for keyword in _KEYWORDS_OF_WORD[word]:
                if keyword in line:
                    return True
    if _KEYWORD_SCAN is not None:
        # (the keywords of the frequent words are not in the line: each holds its word, and was
        # looked for where the word is)
        hit = _KEYWORD_SCAN(line)
        if hit is not None:
            return hit
    elif _native_pending:
        _count_line()
    return _is_candidate_words(line)


def _is_candidate_words(line: str) -> bool:
    """:func:`is_candidate` in Python: a loop of ``in`` tests of the few :data:`CANDIDATE_WORDS`
    first (about twice as fast as an alternation in CPython's ``re``); only a line holding one of
    them is tested for the keywords that contain it."""
    for word in _CANDIDATE_CHECK:
        if word in line:
            for keyword in _KEYWORDS_OF_WORD[word]:
                if keyword in line:
                    return True
    return False


def _candidate_word(wording: Wording) -> str:
    for word in CANDIDATE_WORDS:
        if word in wording.keyword:
            return word
    raise RuntimeError(f"catalogue: keyword {wording.keyword!r} of {wording.id} contains no CANDIDATE word")


CANDIDATE_WORD_OF: Mapping[str, str] = MappingProxyType({w.id: _candidate_word(w) for w in PATTERNS + IGNORED})
"""For each wording, the CANDIDATE word inside its keyword. A match contains the keyword, the keyword
contains this word, so every line with a match passes :func:`is_candidate` (checked at import)."""


_NEEDS_ANOTHER_KEYWORD = frozenset({"keycloak-event-error", "ispn-100009-rebalance-phase"})
"""Wordings whose keyword alone makes no line a candidate. A Keycloak event line (``type=…_ERROR``)
gives an event only with an ``error`` of :data:`SYMPTOM_ERRORS` or the missing-client reason,
keywords of their own wordings (checked below); its own keyword (``_ERROR``, most of a busy
Keycloak's log: wrong passwords, expired refresh tokens) does not. ISPN100009 (rebalance phases)
is recognized only to be ignored: where its line is read anyway, it claims its text."""

CANDIDATE_KEYWORDS: tuple[str, ...] = tuple(dict.fromkeys(
    w.keyword for w in PATTERNS + IGNORED if w.id not in _NEEDS_ANOTHER_KEYWORD))
"""The keyword of every wording (each match of a wording contains its keyword): a line holding one
is a candidate (:func:`is_candidate`); the fast scanner looks for exactly these."""

_KEYWORDS_OF_WORD: dict[str, tuple[str, ...]] = {
    word: tuple(k for k in CANDIDATE_KEYWORDS if word in k) for word in CANDIDATE_WORDS
}
"""For :func:`is_candidate`: the keywords holding each candidate word."""

_CANDIDATE_CHECK = tuple(w for w in _CANDIDATE_CHECK if _KEYWORDS_OF_WORD[w])
"""(a word in no keyword, such as ``_ERROR``, makes no line a candidate: not tested)"""

if not (all(any(k in e for k in CANDIDATE_KEYWORDS) for e in SYMPTOM_ERRORS)
        and any(k in MISSING_CLIENT for k in CANDIDATE_KEYWORDS)):  # pragma: no cover - an editing mistake
    raise RuntimeError("catalogue: a Keycloak symptom is no candidate keyword")
if not all(any(w in k for w in _CANDIDATE_CHECK) for k in CANDIDATE_KEYWORDS):  # pragma: no cover
    raise RuntimeError("catalogue: a keyword holds none of the words is_candidate tests first")


_ANCHOR_SAMPLE = (
    "2024-05-01 10:00:00,123 INFO  [io.quarkus.http.access-log] (executor-thread-1) 10.128.0.1 - - "
    "\"GET /realms/master/protocol/openid-connect/auth?client_id=account HTTP/1.1\" 200 5120 \"-\" "
    "\"Mozilla/5.0 (X11; Linux x86_64)\" 12ms\n"
    "2024-05-01 10:00:00,456 DEBUG [org.hibernate.SQL] (executor-thread-2) select u1_0.ID,u1_0.EMAIL "
    "from USER_ENTITY u1_0 where u1_0.REALM_ID=? and u1_0.USERNAME=?\n"
    "2024-05-01 10:00:01,789 WARN  [org.keycloak.events] (executor-thread-3) type=\"LOGIN_ERROR\", "
    "realmId=\"8f2a6c1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b\", clientId=\"web-portal\", userId=\"null\", "
    "ipAddress=\"10.129.2.7\", error=\"invalid_user_credentials\", auth_method=\"openid-connect\", "
    "username=\"alice\"\n"
    "10:00:02,000 INFO  [org.jboss.as.server] (ServerService Thread Pool -- 60) WFLYSRV0010: Deployed "
    "\"keycloak-server.war\" (runtime-name : \"keycloak-server.war\")\n"
    "\tat org.jboss.threads.EnhancedQueueExecutor$ThreadBody.run(EnhancedQueueExecutor.java:1478)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
    "Caused by: java.net.SocketTimeoutException: Read timed out\n"
).encode()
"""Ordinary log text: the native scanner anchors each keyword on a pair of its bytes that is rare
here (fewer false starts to verify; the answer does not depend on it)."""


def native_words_test(words: tuple[str, ...]) -> Callable[[str], bool | None] | None:
    """``test(line)``: whether ``line`` holds one of ``words``, by one call of a native scanner
    (``jgview._scan``) on its UTF-8 bytes — None for a line it cannot take (not UTF-8 encodable:
    lone surrogates; the caller then tests in Python). None when there is no native scanner (not
    built, ``JGVIEW_SCANNER=grep``). Made once per set of words, here at import, so that forked
    workers share it. The answer is the text's: UTF-8 is self-synchronizing (a word's bytes occur
    in the line's exactly where the word does), and no word holds a newline (a hit on any line of a
    joined message is a hit in it)."""
    from jgview import fastscan

    native = fastscan._native()
    if native is None:
        return None
    try:
        scan = fastscan.new_scanner(native, tuple(w.encode() for w in words), _ANCHOR_SAMPLE).scan
    except (ValueError, TypeError, MemoryError, UnicodeEncodeError):  # pragma: no cover - not these words
        return None

    def test(line: str) -> bool | None:
        try:
            data = line.encode()
        except UnicodeEncodeError:
            return None
        return bool(scan(data, 0, -1, 1)[0])

    return test


_RARE_KEYWORDS: tuple[str, ...] = tuple(
    k for k in CANDIDATE_KEYWORDS if not any(w in k for w in _FREQUENT_WORDS))
"""The keywords that hold none of :data:`_FREQUENT_WORDS` (those :func:`is_candidate` leaves to
the native scanner)."""

_KEYWORD_SCAN: Callable[[str], bool | None] | None = None
"""For :func:`is_candidate`: whether a line holds one of :data:`_RARE_KEYWORDS` (None: the Python
loop). Made by :func:`make_native_tests`."""

NATIVE_AFTER = 256
"""Lines :func:`is_candidate` tests with the Python loop before it makes the native test: making
it (importing the fast reader, choosing anchors) costs about what the loop takes on that many
lines, which a tiny log never reaches (start-up time). The answer is the same either way."""

_native_pending = True
_lines_tested = 0


def make_native_tests() -> None:
    """Make the native scanner's test of :func:`is_candidate` now (before workers are forked, so
    that they share it; else on the :data:`NATIVE_AFTER`-th line). Once."""
    global _KEYWORD_SCAN, _native_pending
    if _native_pending:
        _native_pending = False
        _KEYWORD_SCAN = native_words_test(_RARE_KEYWORDS)


def _count_line() -> None:
    global _lines_tested
    _lines_tested += 1
    if _lines_tested >= NATIVE_AFTER:
        make_native_tests()


def by_id(wording_id: str) -> Wording:
    """The wording with this id (``KeyError`` if none)."""
    return _BY_ID[wording_id]


_BY_ID = {w.id: w for w in PATTERNS + IGNORED}
if len(_BY_ID) != len(PATTERNS) + len(IGNORED):  # pragma: no cover - a catalogue editing mistake
    raise RuntimeError("duplicate wording id in the catalogue")
