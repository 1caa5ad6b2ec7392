"""Names: pods, JGroups logical names and workloads.

Pure functions shared by the history and analysis stages (they sit underneath both, like the
models): how a generated JGroups name relates to its pod, and which workload a pod belongs to.
"""

from __future__ import annotations

import re

from jgview.lazy import LazyPattern

# Kubernetes' random suffix alphabet (no vowels, no 0/1/3): ReplicaSet/DeploymentConfig pods end
# with a 5-character suffix, ReplicaSets add a pod-template hash of 6 to 10 such characters.
_SAFE = "bcdfghjklmnpqrstvwxz2456789"
_RANDOM_SUFFIX = LazyPattern(re.compile, rf"-[{_SAFE}]{{5}}$")
_HASH_SUFFIX = LazyPattern(re.compile, rf"-(?=[{_SAFE}]*\d)[{_SAFE}]{{6,10}}$")
_ORDINAL = LazyPattern(re.compile, r"-\d+$")
_GENERATED = LazyPattern(re.compile, r"^(?P<host>.+)-(?P<n>\d{1,5})$")
_UUID = LazyPattern(re.compile, r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_SUFFIX_KEY = LazyPattern(re.compile, r"[A-Za-z][\w.-]{0,40}")


def is_uuid(name: str) -> bool:
    return bool(_UUID.match(name))


def split_suffix(name: str) -> tuple[str, list[str] | None]:
    """``("kc-0", ["v"])`` for ``kc-0(v=16.0.8)``: a name and the keys of its ExtendedUUID
    ``(k1=v1, k2=v2)`` suffix; ``(name, None)`` without one (``(starting)`` is no suffix)."""
    if not name.endswith(")"):
        return name, None
    i = name.rfind("(")
    if i <= 0 or name.find(")", i) != len(name) - 1:
        return name, None
    keys = []
    for part in name[i + 1 : -1].split(","):
        key, eq, _value = part.strip().partition("=")
        if not eq or not _SUFFIX_KEY.fullmatch(key):
            return name, None
        keys.append(key)
    return name[:i], keys


def bare(name: str) -> str:
    """A member name without JGroups 5.5's ``(v=16.0.8)`` / ExtendedUUID ``(k=v, …)`` suffix."""
    if name.endswith(")"):
        base, keys = split_suffix(name)
        return base if keys is not None else name
    return name


def bare_all(names: tuple[str, ...] | list[str]) -> list[str]:
    """:func:`bare` of each name; at C speed when none carries a suffix (the common case)."""
    if ")" not in "".join(names):
        return list(names)
    return [bare(m) for m in names]


def host_of_generated(name: str) -> str | None:
    """``keycloak-0-27846`` → ``keycloak-0`` (JGroups' default ``hostname-random``), else None."""
    m = _GENERATED.match(name)
    return m.group("host") if m else None


def workload_of(pod: str) -> str:
    """The pod-name stem without ordinal or random suffixes: ``keycloak-0`` → ``keycloak``,
    ``kc-5d8f7c9b4-x2k9q`` → ``kc``, ``keycloak-demo-1-n8gpd`` → ``keycloak-demo``."""
    stem = _RANDOM_SUFFIX.sub("", pod)
    stem = _HASH_SUFFIX.sub("", stem)
    stem = _ORDINAL.sub("", stem)
    return stem or pod


def pod_from_node(node: str) -> str:
    """Best guess of the pod a JGroups name belongs to when no log says so.

    WildFly names are the pod name itself; Quarkus/Infinispan names append ``-<random>``.
    The suffix is removed only when what remains still looks like a pod name (ends in an
    ordinal or a Kubernetes random suffix)."""
    node = bare(node)
    host = host_of_generated(node)
    if host and (_ORDINAL.search(host) or _RANDOM_SUFFIX.search(host)):
        return host
    return node


def name_matches_pod(name: str, pod: str) -> bool:
    """True when the JGroups name ``name`` plausibly belongs to ``pod``."""
    name = bare(name)
    if name == pod:
        return True
    host = host_of_generated(name)
    if host == pod:
        return True
    # hostnames are cut at the first dot by JGroups; pods may be longer than 63 chars truncated
    return bool(host and "." not in pod and pod.startswith(host) and len(host) >= 20)
