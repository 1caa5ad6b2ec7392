#!/usr/bin/env python3
"""Generate realistic JGroups/Infinispan/Keycloak pod logs of a chosen size, with ground truth.

    python bench/generate.py --size 1G --pods 3 --layout keycloak --scenario healthy -o bench/out/kc-1g
    python bench/generate.py --size 100M --scenario healed --gzip --single-file -o bench/out/kc-stream

Writes one log per pod (``<pod>.log`` or ``<pod>.log.gz``), or with ``--single-file`` one
``pods.log`` holding the ``kubectl logs -l … --prefix --timestamps`` stream of all pods, and
``truth.json``::

    {"verdict": "healthy", "clusters": [["keycloak-0-27846", ...]], "membership_lines": N,
     "lines": N, "bytes": N, ...}

``membership_lines`` is the number of lines :data:`GREP_PATTERN` matches (what
``grep -cE`` counts), ``lines`` the physical lines and ``bytes`` the uncompressed bytes of all
files. The noise (request events, access lines, Hibernate SQL, WARN/ERROR stack traces, a few
100 KB lines) never matches the pattern; the membership lines use the real wordings of
``reference/messages.md`` and tell one consistent story per scenario:

``healthy``  pod 0 creates the cluster, the others join one by one: one growing cluster.
``split``    every pod finds no members and becomes coordinator of its own singleton (the seed).
``healed``   one cluster forms, splits in two (each side installs its own view, ISPN000314 on the
             side that lost half), then an ISPN000093 MergeView brings it back together.

Between the story's events, state-preserving membership lines (JGRP000032 about a stale member,
JGRP000011 printing the current view, rebalances on the coordinator) keep the share of
membership lines at about ``--membership-rate`` (0.1 %) of all lines.

Streaming and fast: noise lines come from a precomputed pool (``random.choices``), timestamps
are formatted once per second of log time, text is written in ~1 MB chunks, pods are written in
parallel (``--jobs``). Memory stays constant whatever the size. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import gzip
import json
import os
import random
import re
import sys
import time
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

GREP_PATTERN = r"ISPN0000(78|79|80|93|94)|ISPN10000[0-2]|ISPN000314|pbcast\.GMS|JGRP0000"
"""The benchmark's grep pattern (``LC_ALL=C grep -cE``); :data:`GREP_RE` is the same in Python."""
GREP_RE = re.compile(GREP_PATTERN)

LAYOUTS = ("keycloak", "wildfly", "mixed")
SCENARIOS = ("healthy", "split", "healed")

T0 = datetime(2024, 5, 1, 6, 0, 0, tzinfo=timezone.utc)
"""Log time 0. WildFly console lines carry no date; the default 8 h stay within one day."""

CACHES = (
    "sessions", "authenticationSessions", "offlineSessions", "clientSessions",
    "offlineClientSessions", "loginFailures", "actionTokens", "work",
)
"""Keycloak's distributed caches: one rebalance sequence each per view change."""

JG_MAX_LIST = 20
"""JGroups prints at most this many members of a view, then `` ...`` (messages.md §1)."""

KUBELET_CHUNK = 16 * 1024
"""The container runtime splits longer lines into partial chunks; with ``--timestamps`` each
chunk gets its own timestamp (messages.md §4.6)."""

CHUNK_LINES = 2048


# ------------------------------------------------------------------------------------------
# sizes


_UNITS = {"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "G": 1 << 30, "GB": 1 << 30}


def parse_size(text: str) -> int:
    """``200K``, ``100M``, ``1G``, ``1.5G``, ``12345`` → bytes (binary units)."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMG]?B?)\s*", text.upper())
    if not m:
        raise ValueError(f"not a size: {text!r} (use e.g. 200K, 100M, 1G)")
    n = int(float(m.group(1)) * _UNITS[m.group(2)])
    if n <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return n


# ------------------------------------------------------------------------------------------
# pods and their wording (one profile per layout generation)


def jg_view(creator: str, vid: int, members: list[str]) -> str:
    """JGroups ``View.toString()``: ``[creator|id] (n) [m1, m2]``, cut after 20 members."""
    shown = ", ".join(members[:JG_MAX_LIST])
    if len(members) > JG_MAX_LIST:
        shown += " ..."
    return f"[{creator}|{vid}] ({len(members)}) [{shown}]"


def jg_merge_view(creator: str, vid: int, members: list[str], subgroups: list[tuple[str, int, list[str]]]) -> str:
    """JGroups ``MergeView.toString()`` with its subgroups."""
    subs = ", ".join(jg_view(c, i, m) for c, i, m in subgroups[:JG_MAX_LIST])
    return f"MergeView::{jg_view(creator, vid, members)}, {len(subgroups)} subgroups: {subs}"


def ispn_list(members: list[str]) -> str:
    """Infinispan prints Java ``List.toString()``: never truncated."""
    return "[" + ", ".join(members) + "]"


def body(level: str, category: str, thread: str, msg: str) -> str:
    """``%-5p [%c] (%t) %s`` — the part after the date/time (same in WildFly and Keycloak)."""
    return f"{level:<5} [{category}] ({thread}) {msg}"


@dataclass
class Pod:
    index: int
    name: str
    """Pod name (file name, kubectl prefix)."""
    node: str
    """JGroups logical name."""
    layout: str
    """``keycloak`` (Keycloak ≥17, dated) or ``wildfly`` (console, time of day only)."""
    channel: str
    ip: str
    uuid: str
    container: str
    start_ms: int
    rng_seed: int
    long_lines: int = 0
    jg_thread: int = 5


class Profile:
    """Keycloak ≥17 on Quarkus: Infinispan 15, JGroups 5.3 (messages.md §2, §3, §4.2)."""

    cluster_cat = "org.infinispan.CLUSTER"
    transport_cat = "org.infinispan.CLUSTER"
    init_thread = "keycloak-cache-init"
    port = 7800
    joined_twice = True
    """Infinispan 14+ logs ISPN100000/100001 twice per member (messages.md §3.3)."""
    view_copies = 1

    def __init__(self, pod: Pod):
        self.p = pod

    def jg(self) -> str:
        self.p.jg_thread = self.p.jg_thread % 40 + 1
        return f"jgroups-{self.p.jg_thread},{self.p.node}"

    def rebalance_thread(self, rng: random.Random) -> str:
        return f"non-blocking-thread--p2-t{rng.randint(1, 16)}"

    def bundler_thread(self) -> str:
        return f"TQ-Bundler-{self.p.jg_thread},{self.p.channel},{self.p.node}"

    def startup(self, rng: random.Random, coordinator: bool) -> list[str]:
        """Lines from the channel start to the first view (the view itself is added by the caller)."""
        p = self.p
        out = [
            body("INFO", "org.keycloak.spi.infinispan.impl.embedded.JGroupsConfigurator", "main",
                 "JGroups JDBC_PING discovery enabled."),
            body("INFO", "org.infinispan.CONTAINER", self.init_thread,
                 "ISPN000556: Starting user marshaller 'org.infinispan.commons.marshall.ImmutableProtoStreamMarshaller'"),
            body("INFO", self.transport_cat, self.init_thread,
                 f"ISPN000078: Starting JGroups channel `{p.channel}` with stack `jdbc-ping`"),
            body("INFO", "org.jgroups.JChannel", self.init_thread, f"local_addr: {p.uuid}, name: {p.node}"),
            body("INFO", "org.jgroups.protocols.FD_SOCK2", self.init_thread, "server listening on *:57800"),
        ]
        if coordinator:
            out.append(body("INFO", "org.jgroups.protocols.pbcast.GMS", self.init_thread,
                            f"{p.node}: no members discovered after {rng.randint(2000, 2012)} ms: "
                            "creating cluster as coordinator"))
        return out

    def after_first_view(self) -> list[str]:
        p = self.p
        return [
            body("INFO", self.transport_cat, self.init_thread,
                 f"ISPN000079: Channel `{p.channel}` local address is `{p.node}`, "
                 f"physical addresses are `[{p.ip}:{self.port}]`"),
            body("INFO", "org.keycloak.connections.infinispan.DefaultInfinispanConnectionProviderFactory", "main",
                 f"Node name: {p.node}, Site name: null"),
        ]

    def view(self, view: str, first: bool) -> list[str]:
        thread = self.init_thread if first else self.jg()
        line = body("INFO", self.cluster_cat, thread, f"ISPN000094: Received new cluster view for channel {self.p.channel}: {view}")
        return [line] * self.view_copies

    def merged(self, view: str) -> list[str]:
        line = body("INFO", self.cluster_cat, self.jg(),
                    f"ISPN000093: Received new, MERGED cluster view for channel {self.p.channel}: {view}")
        return [line] * self.view_copies

    def joined(self, who: str) -> list[str]:
        line = body("INFO", self.cluster_cat, self.jg(), f"ISPN100000: Node {who} joined the cluster")
        return [line, line] if self.joined_twice else [line]

    def left(self, who: str) -> list[str]:
        line = body("INFO", self.cluster_cat, self.jg(), f"ISPN100001: Node {who} left the cluster")
        return [line, line] if self.joined_twice else [line]

    def rebalance(self, rng: random.Random, cache: str, members: list[str], topo: int) -> list[str]:
        th = self.rebalance_thread(rng)
        ml = ispn_list(members)
        c = f"[Context={cache}] "
        return [
            body("INFO", self.cluster_cat, th, f"{c}ISPN100002: Starting rebalance with members {ml}, phase READ_OLD_WRITE_ALL, topology id {topo}"),
            body("INFO", self.cluster_cat, th, f"{c}ISPN100009: Advancing to rebalance phase READ_ALL_WRITE_ALL, topology id {topo + 1}"),
            body("INFO", self.cluster_cat, th, f"{c}ISPN100009: Advancing to rebalance phase READ_NEW_WRITE_ALL, topology id {topo + 2}"),
            body("INFO", self.cluster_cat, th, f"{c}ISPN100009: Advancing to rebalance phase NO_REBALANCE, topology id {topo + 3}"),
            body("INFO", self.cluster_cat, th, f"{c}ISPN100010: Finished rebalance with members {ml}, topology id {topo + 3}"),
        ]

    def recovered(self, rng: random.Random, cache: str, members: list[str], topo: int) -> list[str]:
        return [body("INFO", self.cluster_cat, self.rebalance_thread(rng),
                     f"[Context={cache}] ISPN100007: After merge (or coordinator change), recovered members "
                     f"{ispn_list(members)} with topology id {topo}")]

    def lost_half(self, rng: random.Random, cache: str, current: list[str], lost: list[str], stable: list[str]) -> list[str]:
        return [body("WARN", self.cluster_cat, self.rebalance_thread(rng),
                     f"[Context={cache}] ISPN000314: Lost at least half of the stable members, possible split brain "
                     f"causing data inconsistency. Current members are {ispn_list(current)}, lost members are "
                     f"{ispn_list(lost)}, stable members are {ispn_list(stable)}")]

    def no_physical(self, stale: str, suppressed: int) -> list[str]:
        msg = f"JGRP000032: {self.p.node}: no physical address for {stale}, dropping message"
        if suppressed:
            msg += f" ({suppressed} suppressed messages in the last 60s)"
        return [body("WARN", "org.jgroups.protocols.TCP", self.bundler_thread(), msg)]

    def non_member(self, rng: random.Random, stale: str, view: str) -> list[str]:
        return [body("WARN", "org.jgroups.protocols.pbcast.NAKACK2", self.jg(),
                     f"JGRP000011: {self.p.node}: dropped message from non-member {stale} (view={view})")]


class WildFlyProfile(Profile):
    """Keycloak ≤16 on WildFly console: Infinispan 9.4, JGroups 4.0 (messages.md §3.1, §4.1)."""

    transport_cat = "org.infinispan.remoting.transport.jgroups.JGroupsTransport"
    init_thread = "MSC service thread 1-3"
    port = 7600
    joined_twice = False
    view_copies = 2
    """WildFly logs the same ISPN000094 once per cache container (messages.md §6.6)."""

    def jg(self) -> str:
        self.p.jg_thread = self.p.jg_thread % 40 + 1
        return f"thread-{self.p.jg_thread},{self.p.channel},{self.p.node}"

    def rebalance_thread(self, rng: random.Random) -> str:
        return f"transport-thread--p16-t{rng.randint(1, 24)}"

    def startup(self, rng: random.Random, coordinator: bool) -> list[str]:
        p = self.p
        out = [
            body("INFO", "org.jboss.as.clustering.jgroups", "ServerService Thread Pool -- 58",
                 f"WFLYCLJG0032: Connecting 'ee' channel. '{p.node}' joining cluster '{p.channel}' via /0.0.0.0:7600"),
            body("INFO", "org.jgroups.protocols.kubernetes.KUBE_PING", "ServerService Thread Pool -- 60",
                 "namespace keycloak set; clustering enabled"),
            body("INFO", self.transport_cat, self.init_thread, f"ISPN000078: Starting JGroups channel {p.channel}"),
        ]
        if coordinator:
            out.append(body("INFO", "org.jgroups.protocols.pbcast.GMS", "ServerService Thread Pool -- 60",
                            f"{p.node}: no members discovered after {rng.randint(3000, 3012)} ms: "
                            "creating cluster as first member"))
        return out

    def after_first_view(self) -> list[str]:
        p = self.p
        return [
            body("INFO", self.transport_cat, self.init_thread,
                 f"ISPN000079: Channel {p.channel} local address is {p.node}, physical addresses are [{p.ip}:{self.port}]"),
            body("INFO", "org.keycloak.connections.infinispan.DefaultInfinispanConnectionProviderFactory",
                 "ServerService Thread Pool -- 62", f"Node name: {p.node}, Site name: null"),
            body("INFO", "org.jboss.as.clustering.infinispan", "ServerService Thread Pool -- 62",
                 "WFLYCLINF0002: Started sessions cache from keycloak container"),
        ]

    def view(self, view: str, first: bool) -> list[str]:
        msg = f"ISPN000094: Received new cluster view for channel {self.p.channel}: {view}"
        if first:
            return [body("INFO", self.cluster_cat, "MSC service thread 1-3", msg),
                    body("INFO", self.cluster_cat, "MSC service thread 1-6", msg)]
        line = body("INFO", self.cluster_cat, self.jg(), msg)
        return [line, line]

    def non_member(self, rng: random.Random, stale: str, view: str) -> list[str]:
        return [body("WARN", "org.jgroups.protocols.pbcast.NAKACK2", self.jg(),
                     f"JGRP000011: {self.p.node}: dropped message {rng.randint(1, 99999)} from non-member {stale} (view={view})")]

    def no_physical(self, stale: str, suppressed: int) -> list[str]:
        msg = f"JGRP000032: {self.p.node}: no physical address for {stale}, dropping message"
        if suppressed:
            msg += f" (received {suppressed} identical messages from {stale} in the last 60000 ms)"
        return [body("WARN", "org.jgroups.protocols.TCP", self.bundler_thread(), msg)]


def profile_for(pod: Pod) -> Profile:
    return WildFlyProfile(pod) if pod.layout == "wildfly" else Profile(pod)


# ------------------------------------------------------------------------------------------
# noise


_FIRST = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
          "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoë", "jürgen", "françois")
_REALMS = ("acme", "master", "partners", "internal", "customers")
_CLIENTS = ("account-console", "web-portal", "mobile-app", "admin-cli", "billing-service", "security-admin-console")
_PATHS = (
    "/realms/{r}/protocol/openid-connect/token", "/realms/{r}/protocol/openid-connect/auth",
    "/realms/{r}/protocol/openid-connect/userinfo", "/realms/{r}/protocol/openid-connect/certs",
    "/realms/{r}/login-actions/authenticate", "/realms/{r}/account", "/admin/realms/{r}/users",
    "/resources/x2b7e/login/keycloak.v2/css/styles.css", "/health/ready", "/metrics",
)
_EVENT_TYPES = ("LOGIN", "CODE_TO_TOKEN", "REFRESH_TOKEN", "LOGOUT", "INTROSPECT_TOKEN", "CLIENT_LOGIN", "USER_INFO_REQUEST")
_ERRORS = ("user_not_found", "invalid_user_credentials", "invalid_redirect_uri", "invalid_client_credentials",
           "user_disabled", "expired_code")
_ERROR_W = (30, 40, 8, 10, 4, 1)

_SQL = (
    "select ue1_0.ID,ue1_0.CREATED_TIMESTAMP,ue1_0.EMAIL,ue1_0.EMAIL_CONSTRAINT,ue1_0.EMAIL_VERIFIED,ue1_0.ENABLED,"
    "ue1_0.FEDERATION_LINK,ue1_0.FIRST_NAME,ue1_0.LAST_NAME,ue1_0.NOT_BEFORE,ue1_0.REALM_ID,ue1_0.SERVICE_ACCOUNT_CLIENT_LINK,"
    "ue1_0.USERNAME from USER_ENTITY ue1_0 where ue1_0.REALM_ID=? and ue1_0.USERNAME=?",
    "select c1_0.ID,c1_0.VALUE,c1_0.TYPE,c1_0.USER_ID,c1_0.CREATED_DATE,c1_0.USER_LABEL,c1_0.SECRET_DATA,c1_0.CREDENTIAL_DATA,"
    "c1_0.PRIORITY from CREDENTIAL c1_0 where c1_0.USER_ID=? order by c1_0.PRIORITY",
    "select ur1_0.USER_ID,ur1_0.ROLE_ID from USER_ROLE_MAPPING ur1_0 where ur1_0.USER_ID=?",
    "select ug1_0.GROUP_ID from USER_GROUP_MEMBERSHIP ug1_0 where ug1_0.USER_ID=?",
    "insert into OFFLINE_USER_SESSION (BROKER_SESSION_ID,CREATED_ON,DATA,LAST_SESSION_REFRESH,OFFLINE_FLAG,REALM_ID,"
    "REMEMBER_ME,USER_ID,USER_SESSION_ID) values (?,?,?,?,?,?,?,?,?)",
    "update OFFLINE_USER_SESSION set LAST_SESSION_REFRESH=? where REALM_ID=? and OFFLINE_FLAG=? and USER_SESSION_ID in (?,?,?)",
    "select ua1_0.USER_ID,ua1_0.ID,ua1_0.NAME,ua1_0.VALUE,ua1_0.LONG_VALUE_HASH from USER_ATTRIBUTE ua1_0 where ua1_0.USER_ID=?",
)
_LEGACY_SQL = (
    "select userentity0_.ID as id1_76_, userentity0_.CREATED_TIMESTAMP as created_2_76_, userentity0_.EMAIL as email3_76_, "
    "userentity0_.USERNAME as usernam12_76_ from USER_ENTITY userentity0_ where userentity0_.ID=? and userentity0_.REALM_ID=?",
    "select credential0_.ID as id1_12_, credential0_.CREATED_DATE as created_2_12_, credential0_.SECRET_DATA as secret_d5_12_ "
    "from CREDENTIAL credential0_ where credential0_.USER_ID=? order by credential0_.PRIORITY",
    "select rolemappin0_.ROLE_ID as col_0_0_ from USER_ROLE_MAPPING rolemappin0_ where rolemappin0_.USER_ID=?",
)

_TRACE_FRAMES = (
    "org.keycloak.authentication.AuthenticationProcessor.authenticationAction(AuthenticationProcessor.java:1010)",
    "org.keycloak.authentication.DefaultAuthenticationFlow.processAction(DefaultAuthenticationFlow.java:152)",
    "org.keycloak.services.resources.LoginActionsService.processFlow(LoginActionsService.java:345)",
    "org.keycloak.services.resources.LoginActionsService.authenticate(LoginActionsService.java:296)",
    "org.keycloak.services.resources.LoginActionsService.authenticateForm(LoginActionsService.java:368)",
    "org.keycloak.services.resources.LoginActionsService$quarkusrestinvoker$authenticateForm_8b23f5.invoke(Unknown Source)",
    "org.jboss.resteasy.reactive.server.handlers.InvocationHandler.handle(InvocationHandler.java:29)",
    "io.quarkus.resteasy.reactive.server.runtime.QuarkusResteasyReactiveRequestContext.invokeHandler(QuarkusResteasyReactiveRequestContext.java:141)",
    "org.jboss.resteasy.reactive.common.core.AbstractResteasyReactiveContext.run(AbstractResteasyReactiveContext.java:147)",
    "io.quarkus.vertx.core.runtime.VertxCoreRecorder$14.runWith(VertxCoreRecorder.java:635)",
    "org.jboss.threads.EnhancedQueueExecutor$Task.doRunWith(EnhancedQueueExecutor.java:2516)",
    "org.jboss.threads.EnhancedQueueExecutor$Task.run(EnhancedQueueExecutor.java:2495)",
    "org.jboss.threads.EnhancedQueueExecutor$ThreadBody.run(EnhancedQueueExecutor.java:1521)",
    "org.jboss.threads.DelegatingRunnable.run(DelegatingRunnable.java:11)",
    "org.jboss.threads.ThreadLocalResettingRunnable.run(ThreadLocalResettingRunnable.java:11)",
    "io.netty.util.concurrent.FastThreadLocalRunnable.run(FastThreadLocalRunnable.java:30)",
    "java.base/java.lang.Thread.run(Thread.java:1583)",
    "org.keycloak.models.jpa.JpaUserProvider.getUserByUsername(JpaUserProvider.java:612)",
    "org.keycloak.storage.UserStorageManager.getUserByUsername(UserStorageManager.java:402)",
    "org.keycloak.models.cache.infinispan.UserCacheSession.getUserByUsername(UserCacheSession.java:318)",
    "org.keycloak.services.managers.AuthenticationManager.authenticateIdentityCookie(AuthenticationManager.java:834)",
    "org.keycloak.protocol.oidc.endpoints.TokenEndpoint.processGrantRequest(TokenEndpoint.java:185)",
)
_EXCEPTIONS = (
    ("KC-SERVICES0013: Failed authentication", "org.keycloak.authentication.AuthenticationFlowException: Invalid user credentials"),
    ("Uncaught server error", "java.lang.IllegalStateException: Session not active"),
    ("KC-SERVICES0115: Failed to retrieve user", "jakarta.persistence.PersistenceException: org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection"),
    ("Failed to send execute email", "org.keycloak.email.EmailException: Error when attempting to send the email to the server. More information is available in the server log."),
)


def _uid(rng: random.Random) -> str:
    return str(uuidlib.UUID(int=rng.getrandbits(128), version=4))


def _ip(rng: random.Random) -> str:
    return f"10.{rng.choice((128, 129, 130, 131))}.{rng.randint(0, 15)}.{rng.randint(2, 254)}"


def _trace(rng: random.Random, head: str, cls_line: str, legacy: bool) -> str:
    """A WARN/ERROR line followed by a 20-line Java stack trace; continuation lines start with
    ``\\x01`` (the envelope of ``--single-file``; removed in per-pod files)."""
    frames = [rng.choice(_TRACE_FRAMES) for _ in range(19)]
    if legacy:
        frames = [f.replace("io.quarkus", "io.undertow").replace("quarkusrestinvoker$", "") for f in frames]
    lines = [head + ": " + cls_line]
    lines += ["\x01\tat " + f for f in frames[:15]]
    lines.append("\x01Caused by: java.sql.SQLTransientConnectionException: keycloak - Connection is not available, request timed out after 30000ms.")
    lines += ["\x01\tat " + f for f in frames[15:]]
    lines.append("\x01\t... 42 more")
    return "\n".join(lines)


def noise_pool(layout: str, rng: random.Random, n: int = 6000) -> list[str]:
    """Bodies (``LEVEL [category] (thread) message``) of request-time noise, weighted by kind.

    Multi-line bodies (stack traces) mark each continuation line with a leading ``\\x01``."""
    legacy = layout == "wildfly"
    kinds = ("event", "event_error", "access", "sql", "trace", "misc")
    weights = (22, 6, 40, 28, 1.2, 3)
    pool: list[str] = []
    for kind in rng.choices(kinds, weights=weights, k=n):
        thread = f"default task-{rng.randint(1, 64)}" if legacy else f"executor-thread-{rng.randint(1, 48)}"
        realm = rng.choice(_REALMS)
        client = rng.choice(_CLIENTS)
        user = rng.choice(_FIRST) + str(rng.randint(1, 999))
        if kind in ("event", "event_error"):
            if kind == "event":
                etype = rng.choice(_EVENT_TYPES)
                extra = (f'auth_method="openid-connect", token_id="{_uid(rng)}", grant_type="authorization_code", '
                         f'refresh_token_type="Refresh", scope="openid profile email", client_auth_method="client-secret"')
                level = "DEBUG" if rng.random() < 0.3 else "INFO"
            else:
                etype = rng.choice(("LOGIN_ERROR", "CODE_TO_TOKEN_ERROR", "REFRESH_TOKEN_ERROR"))
                err = rng.choices(_ERRORS, weights=_ERROR_W)[0]
                extra = f'error="{err}", auth_method="openid-connect", username="{user}"'
                level = "WARN"
            if legacy:
                msg = (f"type={etype}, realmId={realm}, clientId={client}, userId={_uid(rng)}, ipAddress={_ip(rng)}, "
                       + extra.replace('"', ""))
            else:
                msg = (f'type="{etype}", realmId="{_uid(rng)}", realmName="{realm}", clientId="{client}", '
                       f'userId="{_uid(rng)}", sessionId="{_uid(rng)}", ipAddress="{_ip(rng)}", {extra}')
            pool.append(body(level, "org.keycloak.events", thread, msg))
        elif kind == "access":
            path = rng.choice(_PATHS).format(r=realm)
            method = "POST" if "token" in path or "authenticate" in path else "GET"
            status = rng.choices((200, 302, 204, 400, 401, 404), weights=(70, 12, 4, 5, 6, 3))[0]
            ua = rng.choice(("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
                             "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
                             "okhttp/4.12.0", "Apache-HttpClient/4.5.14 (Java/17.0.10)", "kube-probe/1.29"))
            cat = "io.undertow.accesslog" if legacy else "io.quarkus.http.access-log"
            msg = (f'{_ip(rng)} - - "{method} {path}?client_id={client}&state={_uid(rng)[:8]} HTTP/1.1" {status} '
                   f'{rng.randint(0, 9000)} "-" "{ua}" {rng.randint(1, 900)}ms')
            pool.append(body("INFO", cat, thread, msg))
        elif kind == "sql":
            pool.append(body("DEBUG", "org.hibernate.SQL", thread, rng.choice(_LEGACY_SQL if legacy else _SQL)))
        elif kind == "trace":
            head, exc = rng.choice(_EXCEPTIONS)
            level = "ERROR" if head.startswith("Uncaught") else "WARN"
            cat = "org.keycloak.services.error.KeycloakErrorHandler" if level == "ERROR" else "org.keycloak.services"
            pool.append(body(level, cat, thread, _trace(rng, head, exc, legacy)))
        else:
            pool.append(rng.choice((
                body("INFO", "org.keycloak.services.scheduled.ScheduledTaskRunner", "Timer-0",
                     "Executed scheduled task ClearExpiredUserSessions"),
                body("WARN", "org.keycloak.cookie.DefaultCookieProvider", thread,
                     "Non-secure context detected; cookies are not secured, and will not be available in cross-origin POST requests"),
                body("DEBUG", "org.keycloak.transaction.JtaTransactionWrapper", thread, "JtaTransactionWrapper  commit"),
                body("INFO", "org.keycloak.services", thread,
                     f"KC-SERVICES0006: Importing users from '/opt/keycloak/data/import/{realm}-users-{rng.randint(0, 9)}.json'"),
                body("WARN", "org.infinispan.PERSISTENCE", "non-blocking-thread--p2-t3",
                     "ISPN000554: jboss-marshalling is deprecated and planned for removal"),
                body("DEBUG", "org.keycloak.models.cache.infinispan.UserCacheSession", thread,
                     f"user by name found in cache: {user}"),
            )))
    for b in pool:
        if GREP_RE.search(b):  # pragma: no cover - a template editing mistake
            raise RuntimeError(f"noise line matches the grep pattern: {b[:200]}")
    return pool


def long_body(rng: random.Random, length: int, legacy: bool) -> str:
    """A very long single line (a SAML request dumped at DEBUG)."""
    thread = "default task-7" if legacy else "executor-thread-7"
    head = body("DEBUG", "org.keycloak.protocol.saml.SamlProtocol", thread, "SAMLRequest: ")
    need = max(0, length - len(head))
    while True:
        payload = base64.b64encode(rng.randbytes(need * 3 // 4 + 3)).decode("ascii")[:need]
        if not GREP_RE.search(payload):
            return head + payload


# ------------------------------------------------------------------------------------------
# the story: membership lines per pod, and the truth


@dataclass
class ViewState:
    t: int
    creator: str
    vid: int
    members: list[str]


@dataclass
class Story:
    pods: list[Pod]
    lines: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    """Per pod index, (time ms, body) membership lines (kept sorted later)."""
    views: dict[int, list[ViewState]] = field(default_factory=dict)
    """Per pod index, the views it installed (for state-preserving filler lines)."""
    verdict: str = "unknown"
    clusters: list[list[str]] = field(default_factory=list)
    topo: dict[tuple[int, str], int] = field(default_factory=dict)

    def add(self, pod: Pod, t: int, bodies: list[str]) -> int:
        lst = self.lines.setdefault(pod.index, [])
        for i, b in enumerate(bodies):
            lst.append((t + i, b))
        return t + len(bodies)

    def install(self, pod: Pod, t: int, creator: str, vid: int, members: list[str]) -> None:
        self.views.setdefault(pod.index, []).append(ViewState(t, creator, vid, list(members)))

    def next_topo(self, pod: Pod, cache: str) -> int:
        k = (pod.index, cache)
        self.topo[k] = self.topo.get(k, 1) + 4
        return self.topo[k]

    def current(self, pod: Pod, t: int) -> ViewState | None:
        vs = self.views.get(pod.index, [])
        i = bisect.bisect_right([v.t for v in vs], t) - 1
        return vs[i] if i >= 0 else None


def _view_change(story: Story, rng: random.Random, t: int, members_pods: list[Pod], creator: Pod, vid: int,
                 joiners: list[Pod] = (), leavers: list[str] = (), merge: list[tuple[str, int, list[str]]] | None = None,
                 lost: tuple[list[str], list[str]] | None = None) -> None:
    """Every member installs the view; the coordinator then logs joins/leaves and rebalances."""
    names = [p.node for p in members_pods]
    for k, p in enumerate(members_pods):
        prof = profile_for(p)
        tp = t + (0 if p is creator else 3 + 2 * k)
        if merge is not None:
            bodies = prof.merged(jg_merge_view(creator.node, vid, names, merge))
        else:
            bodies = prof.view(jg_view(creator.node, vid, names), first=p in joiners)
        if p in joiners:
            bodies += prof.after_first_view()
        for j in joiners:
            if j is not p:
                bodies += prof.joined(j.node)
        if merge is not None:
            mine = next((m for _c, _i, m in merge if p.node in m), [])
            for other in names:
                if other not in mine:
                    bodies += prof.joined(other)
        for gone in leavers:
            bodies += prof.left(gone)
        story.install(p, tp, creator.node, vid, names)
        tp = story.add(p, tp, bodies)
        if p is creator:
            if lost is not None:
                cur, lst = lost
                for cache in CACHES:
                    tp = story.add(p, tp + 5, prof.lost_half(rng, cache, cur, lst, sorted(set(cur) | set(lst))))
            for cache in CACHES:
                if merge is not None:
                    tp = story.add(p, tp + 5, prof.recovered(rng, cache, names, story.next_topo(p, cache)))
                if len(names) > 1:
                    tp = story.add(p, tp + 20, prof.rebalance(rng, cache, names, story.next_topo(p, cache)))


def build_story(pods: list[Pod], scenario: str, duration_ms: int, rng: random.Random) -> Story:
    story = Story(pods)
    n = len(pods)
    if scenario == "split":
        if n < 2:
            raise ValueError("the split scenario needs at least 2 pods")
        for p in pods:
            prof = profile_for(p)
            t = story.add(p, p.start_ms, prof.startup(rng, coordinator=True))
            _view_change(story, rng, t + 1, [p], p, 0, joiners=[p])
        story.verdict = "split"
        story.clusters = [[p.node] for p in pods]
    else:
        if scenario == "healed" and n < 2:
            raise ValueError("the healed scenario needs at least 2 pods")
        coord = pods[0]
        t = story.add(coord, coord.start_ms, profile_for(coord).startup(rng, coordinator=True))
        _view_change(story, rng, t + 1, [coord], coord, 0, joiners=[coord])
        vid = 0
        for k, p in enumerate(pods[1:], start=1):
            t = story.add(p, p.start_ms, profile_for(p).startup(rng, coordinator=False))
            vid += 1
            _view_change(story, rng, t + 1500, pods[: k + 1], coord, vid, joiners=[p])
        story.verdict = "healthy" if n > 1 else "alone"
        story.clusters = [[p.node for p in pods]]
        if scenario == "healed":
            half = (n + 1) // 2
            a, b = pods[:half], pods[half:]
            t_split = int(duration_ms * 0.40)
            t_merge = int(duration_ms * 0.62)
            an, bn = [p.node for p in a], [p.node for p in b]
            # both sides install view id vid+1: ids repeat on both sides of a split
            _view_change(story, rng, t_split, a, a[0], vid + 1, leavers=bn,
                         lost=(an, bn) if len(bn) >= len(an) else None)
            _view_change(story, rng, t_split + 40, b, b[0], vid + 1, leavers=an,
                         lost=(bn, an) if len(an) >= len(bn) else None)
            subgroups = [(a[0].node, vid + 1, an), (b[0].node, vid + 1, bn)]
            _view_change(story, rng, t_merge, a + b, a[0], vid + 2, merge=subgroups)
            story.verdict = "healed"
            story.clusters = [an + bn]
    story.clusters = sorted(sorted(c) for c in story.clusters)
    return story


def add_filler(story: Story, per_pod_budget: dict[int, int], duration_ms: int, rng: random.Random) -> None:
    """State-preserving membership lines at random times after each pod's first view."""
    stale = [_uid(rng) for _ in range(3)]
    for p in story.pods:
        budget = per_pod_budget.get(p.index, 0)
        vs = story.views.get(p.index)
        if budget <= 0 or not vs:
            continue
        prof = profile_for(p)
        lo = vs[0].t + 60_000
        if lo >= duration_ms - 1000:
            continue
        times = sorted(rng.randrange(lo, duration_ms - 1000) for _ in range(budget))
        used = 0
        for t in times:
            if used >= budget:
                break
            cur = story.current(p, t)
            if cur is None:
                continue
            r = rng.random()
            if r < 0.25 and cur.members and cur.members[0] == p.node and len(cur.members) > 1:
                cache = rng.choice(CACHES)
                story.add(p, t, prof.rebalance(rng, cache, cur.members, story.next_topo(p, cache)))
            elif r < 0.55:
                story.add(p, t, prof.non_member(rng, rng.choice(stale), jg_view(cur.creator, cur.vid, cur.members)))
            else:
                story.add(p, t, prof.no_physical(rng.choice(stale), rng.choice((0, 0, 0, 2, 7))))
            used += 1


# ------------------------------------------------------------------------------------------
# rendering


MS3 = [f"{i:03d} " for i in range(1000)]
MSK = [f"{i:03d}" for i in range(1000)]


def _header_for(layout: str) -> Callable[[int], str]:
    """Second → the layout's date/time prefix up to the comma before the milliseconds."""
    if layout == "wildfly":
        def hdr(sec: int) -> str:
            return (T0 + timedelta(seconds=sec)).strftime("%H:%M:%S,")
    else:
        def hdr(sec: int) -> str:
            return (T0 + timedelta(seconds=sec)).strftime("%Y-%m-%d %H:%M:%S,")
    return hdr


def _iso_sec(sec: int) -> str:
    return (T0 + timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%S.")


def pool_line_bytes(pool: list[str], pod: Pod, single_file: bool) -> float:
    """Average bytes per noise entry as written (header, envelope, continuation lines)."""
    header = 13 if pod.layout == "wildfly" else 24
    envelope = len(f"[pod/{pod.name}/{pod.container}] ") + 31 if single_file else 0
    total = 0
    for b in pool:
        cont = b.count("\x01")
        total += len(b.encode()) - cont + header + envelope * (1 + cont) + 1
    return total / len(pool)


@dataclass
class PodOutput:
    lines: int = 0
    bytes: int = 0
    membership_lines: int = 0
    membership_lines_all: int = 0


def render_pod(pod: Pod, target_bytes: int, duration_ms: int, story_lines: list[tuple[int, str]],
               single_file: bool, stats: PodOutput) -> Iterator[tuple[int, bytes]]:
    """Yield ``(time ms of the chunk's last line, encoded text)`` for one pod, in time order."""
    rng = random.Random(pod.rng_seed)
    # a pool of a few thousand distinct lines is plenty; small outputs need fewer (speed)
    pool = noise_pool(pod.layout, rng, int(min(6000, max(400, target_bytes / 750))))
    hdr = _header_for(pod.layout)
    prefix = f"[pod/{pod.name}/{pod.container}] "
    nanos = [f"{rng.randrange(1_000_000):06d}Z " for _ in range(997)]
    avg = pool_line_bytes(pool, pod, single_file)
    span = max(1, duration_ms - pod.start_ms)
    # membership (and long) lines are not noise: take their bytes off the budget
    story_bytes = sum(len(b) + 25 + (len(prefix) + 31 if single_file else 0) for _t, b in story_lines)
    est_lines = max(1, int((target_bytes - story_bytes) / avg))
    step = span / est_lines  # ms per noise line
    chunk_lines = 256 if single_file else CHUNK_LINES
    events = sorted(story_lines)
    ev_i = 0
    t = float(pod.start_ms)
    last_sec = -1
    sec_hdr = ""
    sec_iso = ""
    while True:
        n = chunk_lines
        t_end = t + n * step
        final = t_end >= duration_ms
        if final:
            n = max(0, int((duration_ms - t) / step))
            t_end = float(duration_ms)
        lo, hi = int(t), max(int(t) + 1, int(t_end))
        times = sorted(rng.choices(range(lo, hi), k=n)) if n else []
        bodies = rng.choices(pool, k=n) if n else []
        # membership lines of this time span, merged in (rare: list.insert is fine)
        while ev_i < len(events) and (events[ev_i][0] < hi or final):
            et, eb = events[ev_i]
            k = bisect.bisect_right(times, et)
            times.insert(k, et)
            bodies.insert(k, eb)
            stats.membership_lines_all += 1
            if GREP_RE.search(eb):
                stats.membership_lines += 1
            ev_i += 1
        out: list[str] = []
        append = out.append
        if single_file:
            for ms, b in zip(times, bodies):
                s = ms // 1000
                if s != last_sec:
                    last_sec, sec_hdr, sec_iso = s, hdr(s), prefix + _iso_sec(s)
                r = ms % 1000
                env = sec_iso + MSK[r] + nanos[ms % 997]
                if "\x01" in b:
                    b = b.replace("\x01", env)
                line = env + sec_hdr + MS3[r] + b
                if len(line) > KUBELET_CHUNK:
                    parts = [line[i:i + KUBELET_CHUNK] for i in range(0, len(line), KUBELET_CHUNK)]
                    line = parts[0] + "".join(env[len(prefix):] + q for q in parts[1:])
                append(line)
        else:
            for ms, b in zip(times, bodies):
                s = ms // 1000
                if s != last_sec:
                    last_sec, sec_hdr = s, hdr(s)
                append(sec_hdr + MS3[ms % 1000] + b)
        if out:
            text = "\n".join(out) + "\n"
            if not single_file:
                text = text.replace("\x01", "")
            data = text.encode("utf-8")
            stats.lines += text.count("\n")
            stats.bytes += len(data)
            yield (times[-1], data)
        t = t_end
        if final:
            break


class _Sink:
    def __init__(self, path: str, gz: bool, level: int):
        self.path = path
        raw = open(path, "wb")
        self.f = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=level, mtime=0) if gz else raw
        self.raw = raw
        self.buf: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.buf.append(data)
        self.size += len(data)
        if self.size >= 1 << 20:
            self.flush()

    def flush(self) -> None:
        if self.buf:
            self.f.write(b"".join(self.buf))
            self.buf.clear()
            self.size = 0

    def close(self) -> None:
        self.flush()
        self.f.close()
        if self.f is not self.raw:
            self.raw.close()


def _write_pod(args: tuple) -> tuple[int, PodOutput]:
    pod, target, duration_ms, story_lines, path, gz, level = args
    stats = PodOutput()
    sink = _Sink(path, gz, level)
    try:
        for _t, data in render_pod(pod, target, duration_ms, story_lines, False, stats):
            sink.write(data)
    finally:
        sink.close()
    return pod.index, stats


# ------------------------------------------------------------------------------------------
# main


def make_pods(n: int, layout: str, seed: int, duration_ms: int) -> list[Pod]:
    rng = random.Random(seed)
    pods = []
    spacing = min(45_000, max(1000, duration_ms // (4 * max(1, n))))
    for i in range(n):
        lay = layout if layout != "mixed" else ("keycloak" if i % 2 == 0 else "wildfly")
        name = f"keycloak-{i}"
        channel = "ejb" if layout == "wildfly" else "ISPN"
        node = name if lay == "wildfly" else f"{name}-{rng.randint(0, 65534)}"
        pods.append(Pod(index=i, name=name, node=node, layout=lay, channel=channel,
                        ip=f"10.{128 + i // 250}.{(i // 250) % 4 + 2}.{10 + i % 240}",
                        uuid=_uid(rng), container="keycloak", start_ms=5000 + i * spacing + rng.randint(0, 900),
                        rng_seed=seed * 100_003 + i))
    return pods


def generate(out_dir: str, size: int, pods_n: int = 3, layout: str = "keycloak", scenario: str = "healthy",
             gz: bool = False, seed: int = 1, single_file: bool = False, duration_h: float = 8.0,
             membership_rate: float = 0.001, jobs: int | None = None, gzip_level: int = 6,
             long_line_bytes: int = 100 * 1024) -> dict:
    """Write the logs and ``truth.json`` into ``out_dir``; return the truth."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}")
    if pods_n < 1:
        raise ValueError("--pods must be at least 1")
    if duration_h * 3600 >= 23.9 * 3600 and layout != "keycloak":
        raise ValueError("WildFly console lines carry no date: keep --duration under 24 h")
    started = time.monotonic()
    duration_ms = int(duration_h * 3600_000)
    os.makedirs(out_dir, exist_ok=True)
    _remove_previous(out_dir)
    rng = random.Random(seed)
    pods = make_pods(pods_n, layout, seed, duration_ms)
    story = build_story(pods, scenario, duration_ms, rng)

    # filler: keep membership lines at about membership_rate of all lines
    per_pod = size / pods_n
    budget = {}
    pools = {lay: noise_pool(lay, random.Random(0), 1000) for lay in sorted({p.layout for p in pods})}
    for p in pods:
        pl = pools[p.layout]
        phys_per_entry = 1 + sum(b.count("\x01") for b in pl) / len(pl)
        est_lines_per_pod = per_pod / pool_line_bytes(pl, p, single_file) * phys_per_entry
        have = sum(1 for _t, b in story.lines.get(p.index, []) if GREP_RE.search(b))
        budget[p.index] = max(0, int(est_lines_per_pod * membership_rate) - have)
    add_filler(story, budget, duration_ms, rng)

    # a few very long lines: about one per 64 MB, at least one
    n_long = max(1, size // (64 << 20))
    long_len = min(long_line_bytes, max(1000, size // 20))
    for k in range(n_long):
        p = pods[k % pods_n]
        t = rng.randrange(min(p.start_ms + 120_000, duration_ms - 2000), duration_ms - 1000)
        story.add(p, t, [long_body(rng, long_len, p.layout == "wildfly")])

    ext = ".log.gz" if gz else ".log"
    files: list[str] = []
    per_stats: dict[int, PodOutput] = {}
    if single_file:
        path = os.path.join(out_dir, "pods" + ext)
        files.append(os.path.basename(path))
        sink = _Sink(path, gz, gzip_level)
        gens = []
        for p in pods:
            per_stats[p.index] = PodOutput()
            gens.append(render_pod(p, int(per_pod), duration_ms, story.lines.get(p.index, []), True, per_stats[p.index]))
        try:
            for _t, data in _merge_by_time(gens):
                sink.write(data)
        finally:
            sink.close()
    else:
        tasks = []
        for p in pods:
            path = os.path.join(out_dir, p.name + ext)
            files.append(os.path.basename(path))
            tasks.append((p, int(per_pod), duration_ms, story.lines.get(p.index, []), path, gz, gzip_level))
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
        if jobs > 1:
            import multiprocessing as mp

            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
            with ctx.Pool(jobs) as pool:
                results = pool.map(_write_pod, tasks, chunksize=1)
        else:
            results = [_write_pod(t) for t in tasks]
        per_stats = dict(results)

    total = PodOutput()
    for s in per_stats.values():
        total.lines += s.lines
        total.bytes += s.bytes
        total.membership_lines += s.membership_lines
        total.membership_lines_all += s.membership_lines_all
    truth = {
        "verdict": story.verdict,
        "clusters": story.clusters,
        "membership_lines": total.membership_lines,
        "membership_lines_all": total.membership_lines_all,
        "lines": total.lines,
        "bytes": total.bytes,
        "compressed_bytes": sum(os.path.getsize(os.path.join(out_dir, f)) for f in files) if gz else None,
        "files": files,
        "pods": [{"pod": p.name, "node": p.node, "layout": p.layout, "channel": p.channel,
                  "lines": per_stats[p.index].lines, "bytes": per_stats[p.index].bytes,
                  "membership_lines": per_stats[p.index].membership_lines} for p in pods],
        "layout": layout,
        "scenario": scenario,
        "single_file": single_file,
        "gzip": gz,
        "seed": seed,
        "requested_size": size,
        "grep_pattern": GREP_PATTERN,
        "generator_seconds": round(time.monotonic() - started, 2),
    }
    with open(os.path.join(out_dir, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, indent=2)
        f.write("\n")
    return truth


def _merge_by_time(gens: list[Iterator[tuple[int, bytes]]]) -> Iterator[tuple[int, bytes]]:
    """Interleave the pods' chunks by time (a ``kubectl logs -f``-like stream)."""
    import heapq

    return heapq.merge(*gens, key=lambda x: x[0])


def _remove_previous(out_dir: str) -> None:
    """Remove the files a previous run listed in ``truth.json`` (nothing else)."""
    tp = os.path.join(out_dir, "truth.json")
    try:
        with open(tp, encoding="utf-8") as f:
            old = json.load(f)
    except (OSError, ValueError):
        return
    for name in old.get("files", []):
        if os.path.basename(name) == name:
            try:
                os.remove(os.path.join(out_dir, name))
            except OSError:
                pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="100M", help="total uncompressed size of all files (200K, 100M, 1G; binary units)")
    ap.add_argument("--pods", type=int, default=3)
    ap.add_argument("--layout", choices=LAYOUTS, default="keycloak")
    ap.add_argument("--scenario", choices=SCENARIOS, default="healthy")
    ap.add_argument("--gzip", action="store_true", help="write .log.gz files")
    ap.add_argument("--gzip-level", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--single-file", action="store_true",
                    help="one pods.log: the kubectl logs -l ... --prefix --timestamps stream of all pods")
    ap.add_argument("--duration", type=float, default=8.0, help="hours of log time (default 8)")
    ap.add_argument("--membership-rate", type=float, default=0.001, help="share of grep-matching lines (default 0.001)")
    ap.add_argument("--jobs", type=int, default=None, help="pods written in parallel (default: CPU count)")
    ap.add_argument("-o", "--out", required=True, help="output directory (e.g. bench/out/NAME)")
    a = ap.parse_args(argv)
    try:
        size = parse_size(a.size)
        truth = generate(a.out, size, a.pods, a.layout, a.scenario, a.gzip, a.seed, a.single_file,
                         a.duration, a.membership_rate, a.jobs, a.gzip_level)
    except ValueError as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    mb = truth["bytes"] / (1 << 20)
    print(f"{a.out}: {len(truth['files'])} file(s), {mb:.1f} MiB, {truth['lines']} lines, "
          f"{truth['membership_lines']} grep-matching membership lines, verdict {truth['verdict']}, "
          f"{truth['generator_seconds']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
