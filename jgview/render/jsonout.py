"""``--json``: one JSON document, ``schema_version`` 1 (documented in docs/json.md)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from jgview import __version__
from jgview.models import Analysis, ClusterState, Event, Evidence, Finding, Interval, PodState, SourceInfo

SCHEMA_VERSION = 1

_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _t(dt: datetime | None) -> str | None:
    return dt.isoformat().replace("+00:00", "Z") if dt else None


def evidence(e: Evidence) -> dict[str, Any]:
    return {"source": e.source, "line": e.line, "text": e.text, "pod": e.pod, "time": _t(e.time)}


def cluster(c: ClusterState) -> dict[str, Any]:
    return {
        "view_id": c.view_id,
        "coordinator": c.coordinator,
        "members": c.members,
        "size": c.size,
        "seen_by": c.seen_by,
        "pods": c.pods,
        "implied": c.implied,
    }


def interval(i: Interval) -> dict[str, Any]:
    return {
        "start": _t(i.start) or i.start_text,
        "end": _t(i.end) or i.end_text,
        "groups": i.groups,
        "view_id": i.view_id,
        "evidence": [evidence(e) for e in i.evidence],
    }


def finding(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "severity": f.severity.value,
        "title": f.title,
        "summary": f.summary,
        "evidence": [evidence(e) for e in f.evidence],
        "remediation": f.remediation,
        "details": f.details,
    }


def pod(p: PodState) -> dict[str, Any]:
    return {
        "name": p.name,
        "addresses": p.addresses,
        "live": p.live,
        "current_view": p.current_view,
        "incarnations": [
            {
                "index": i.index,
                "name": i.name,
                "uuid": i.uuid,
                "physical": i.physical,
                "start": _t(i.start),
                "end": _t(i.end),
                "stopped": i.stopped,
                "source": i.source,
                "line": i.line,
            }
            for i in p.incarnations
        ],
        "views": {
            ch: [
                {
                    "time": _t(v.time),
                    "time_of_day": v.time_of_day,
                    "view_id": v.view_id,
                    "members": v.members,
                    "size": v.size,
                    "kind": v.kind,
                    "incarnation": v.incarnation,
                    "source": v.source,
                    "line": v.line,
                }
                for v in lst
            ]
            for ch, lst in p.channels.items()
        },
        "sources": p.sources,
        "first_time": _t(p.first_time),
        "last_time": _t(p.last_time),
    }


def source(s: SourceInfo) -> dict[str, Any]:
    return {
        "name": s.name,
        "pods": s.pods,
        "pod_hint": s.pod_hint,
        "layout": s.layout,
        "lines": s.lines,
        "bytes": s.bytes,
        "records": s.records,
        "undecodable_lines": s.undecodable_lines,
        "long_lines": s.long_lines,
        "first_time": _t(s.first_time),
        "last_time": _t(s.last_time),
        "time_only": s.time_only,
        "previous": s.previous,
        "envelopes": s.envelopes,
        "errors": s.errors,
    }


def to_dict(a: Analysis) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "jgview_version": __version__,
        "verdict": a.verdict.value,
        "summary": a.sentence,
        "exit_code": a.exit_code,
        "channels": [
            {
                "channel": c.channel,
                "group": c.group,
                "verdict": c.verdict.value,
                "reason": c.reason,
                "expected": c.expected,
                "clusters": [cluster(x) for x in c.clusters],
                "splits": [interval(x) for x in c.splits],
                "merges": [interval(x) for x in c.merges],
                "segments": [
                    {
                        "pod": sg.pod,
                        "cluster": sg.cluster,
                        "view_id": sg.view_id,
                        "incarnation": sg.incarnation,
                        "start": _t(sg.start) or sg.start_text,
                        "end": _t(sg.end) or sg.end_text,
                    }
                    for sg in c.segments
                ],
            }
            for c in a.channels
        ],
        "pods": [pod(p) for p in a.pods],
        "findings": [finding(f) for f in a.findings],
        "sources": [source(s) for s in a.sources],
        "problems": a.problems,
        "warnings": a.stats.get("warnings", []),
        "window": {"since": _t(a.window[0]), "until": _t(a.window[1])},
        "time_axis": a.time_axis,
        "stats": {k: v for k, v in a.stats.items() if k != "warnings"},
    }


def event(e: Event) -> dict[str, Any]:
    """One event for ``jgview events`` (JSON lines)."""
    d: dict[str, Any] = {
        "kind": e.kind.value,
        "time": _t(e.time),
        "time_of_day": e.time_of_day,
        "pod": e.pod,
        "node": e.node,
        "channel": e.channel,
        "source": e.source,
        "line": e.lineno,
    }
    if e.view is not None:
        d["view"] = {"view_id": e.view.view_id, "members": list(e.view.members), "size": e.view.size, "truncated": e.view.truncated}
    if e.subgroups:
        d["subgroups"] = [{"view_id": v.view_id, "members": list(v.members), "size": v.size} for v in e.subgroups]
    if e.members:
        d["members"] = list(e.members)
    if e.lost:
        d["lost"] = list(e.lost)
    if e.subject:
        d["subject"] = e.subject
    if e.detail:
        d["detail"] = e.detail
    d["level"] = e.level
    d["logger"] = e.logger
    d["text"] = e.text
    return d


def dumps(obj: Any, indent: int | None = 2) -> str:
    """JSON whose strings cannot carry terminal controls (C1, DEL, bidi overrides escaped)."""
    s = json.dumps(obj, indent=indent, ensure_ascii=False, default=str)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", s)


def render(a: Analysis) -> str:
    return dumps(to_dict(a))
