"""Whole-pipeline Hypothesis properties over hostile input (bounded: part of CI).

The long-running counterpart is ``scripts/fuzz.py`` (see ``docs/security.md``).
"""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from jgview import catalogue, events, pipeline, records, sources, viewparse
from jgview.history import SourceEvents
from jgview.models import Event, Kind, SourceInfo, View
from jgview.render import jsonout

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

H = "2024-05-01 10:0{m}:{s:02d},000 INFO  [org.infinispan.CLUSTER] ({t}) "
SCENARIOS: dict[str, dict[str, list[str]]] = {
    # one pod's log, a cluster of two formed
    "healthy": {"kc-0": [
        H.format(m=0, s=1, t="main") + "ISPN000094: Received new cluster view for channel ISPN: [kc-0-1|0] (1) [kc-0-1]",
        H.format(m=1, s=2, t="jgroups-5,kc-0-1") + "ISPN000094: Received new cluster view for channel ISPN: [kc-0-1|1] (2) [kc-0-1, kc-1-2]",
    ]},
    # the seed's split: each pod creates its own cluster
    "split": {
        "kc-0": ["10:00:01,000 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService Thread Pool -- 60) kc-0-1: no members "
                 "discovered after 3004 ms: creating cluster as coordinator"],
        "kc-1": ["10:00:05,000 INFO  [org.jgroups.protocols.pbcast.GMS] (ServerService Thread Pool -- 60) kc-1-2: no members "
                 "discovered after 3004 ms: creating cluster as coordinator"],
    },
    # two singletons merged
    "healed": {"kc-0": [
        H.format(m=0, s=1, t="main") + "ISPN000094: Received new cluster view for channel ISPN: [kc-0-1|3] (1) [kc-0-1]",
        H.format(m=5, s=0, t="jgroups-9,kc-0-1") + "ISPN000093: Received new, MERGED cluster view for channel ISPN: "
        "MergeView::[kc-0-1|5] (2) [kc-0-1, kc-1-2], 2 subgroups: [kc-0-1|3] (1) [kc-0-1], [kc-1-2|4] (1) [kc-1-2]",
    ], "kc-1": [
        H.format(m=0, s=2, t="main") + "ISPN000094: Received new cluster view for channel ISPN: [kc-1-2|4] (1) [kc-1-2]",
        H.format(m=5, s=1, t="jgroups-3,kc-1-2") + "ISPN000094: Received new cluster view for channel ISPN: [kc-0-1|5] (2) [kc-0-1, kc-1-2]",
    ]},
}

# Junk that cannot itself be membership evidence: random bytes, and text with every kind of
# control character, brackets and separators (but no catalogue keyword).
_JUNK_TEXT = st.text(alphabet=st.sampled_from(list("[]|(),{}=>: .-_aZ09\t\x00\x1b\x07\x7f\x85\x9b\u2028\ufffd\U0001f600\"'\\")),
                     max_size=400)
_JUNK = st.one_of(
    st.binary(max_size=600),
    _JUNK_TEXT.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"[a|" * 2000, b"(" * 3000, b"\xff\xfe\x00", b"\x1f\x8b\x08\x00", b"\r", b"\x00" * 500, b"{", b"   at x.y(Z.java:1)"]),
)


def _no_keyword(b: bytes) -> bool:
    return not catalogue.is_candidate(b.decode("utf-8", "replace"))


def _analyze(files: dict[str, bytes]) -> tuple[object, list[str]]:
    """``analyze`` on in-memory inputs (one per pod, like ``jgview kc-0.log kc-1.log``)."""
    errors: list[str] = []
    opts = pipeline.AnalyzeOptions()
    collected = []
    for pod, data in files.items():
        info = SourceInfo(name=f"{pod}.log", pod_hint=pod)
        inp = sources.Input(name=f"{pod}.log", path=None, pod_hint=pod)
        lines = sources.open_lines(inp, info, errors.append, stdin=io.BytesIO(data))
        recs = records.iter_records(lines, info, events.is_candidate, records.ReadOptions(), pod_hint=pod)
        evs = [ev for rec in recs for ev in events.extract(rec)]
        collected.append(SourceEvents(info=info, events=evs, pod_hint=pod))
    return pipeline.analyze_sources(collected, opts, errors), errors


def _verdict(a) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    return a.verdict.value, sorted(cl.view_id for c in a.channels for cl in c.clusters)


_CLEAN = {name: _verdict(_analyze({p: "\n".join(ls).encode() + b"\n" for p, ls in sc.items()})[0]) for name, sc in SCENARIOS.items()}


def test_scenarios_have_the_verdicts_they_are_named_after() -> None:
    assert {k: v[0] for k, v in _CLEAN.items()} == {"healthy": "healthy", "split": "split", "healed": "healed"}


@SETTINGS
@given(name=st.sampled_from(sorted(SCENARIOS)), data=st.data(), sep=st.sampled_from([b"\n", b"\r\n"]))
def test_junk_around_real_lines_keeps_the_verdict(name: str, data: st.DataObject, sep: bytes) -> None:
    files = {}
    for pod, lines in SCENARIOS[name].items():
        parts: list[bytes] = [b""]  # a newline first: junk never starts the file (gzip/UTF-16 magic)
        for line in lines:
            parts += data.draw(st.lists(_JUNK.filter(_no_keyword), max_size=4), label="junk")
            parts.append(line.encode())
        parts += data.draw(st.lists(_JUNK.filter(_no_keyword), max_size=3), label="tail")
        files[pod] = sep.join(parts) + sep
    a, errors = _analyze(files)
    assert _verdict(a) == _CLEAN[name]
    assert all("\n" not in e for e in errors)
    jsonout.render(a)  # renders


@SETTINGS
@given(st.binary(max_size=4000))
def test_random_bytes_through_the_whole_pipeline(data: bytes) -> None:
    a = pipeline.analyze(["-"], pipeline.AnalyzeOptions(stdin=io.BytesIO(data), pod="p"), on_error=lambda m: None)
    assert a.verdict.value in ("healthy", "healed", "split", "alone", "unknown")
    jsonout.render(a)


def _mutate(draw, text: str) -> str:  # type: ignore[no-untyped-def]
    ops = draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, 3), _JUNK_TEXT), max_size=5))
    for pos, op, junk in ops:
        pos = min(pos, len(text))
        if op == 0:
            text = text[:pos] + junk + text[pos:]
        elif op == 1:
            text = text[:pos] + text[pos + len(junk):]
        elif op == 2:
            text = text[:pos] + junk * 50 + text[pos:]
        else:
            text = text[:pos] + text[pos:] * 3
    return text


@st.composite
def _mutated_layout_lines(draw):  # type: ignore[no-untyped-def]
    layouts = records.load_layouts()
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        lay = draw(st.sampled_from(layouts))
        sample = draw(st.sampled_from(lay.samples))
        text = sample["line"] if "line" in sample else "\n".join(sample["lines"])
        lines.extend(_mutate(draw, text).split("\n"))
    return lines


@SETTINGS
@given(_mutated_layout_lines())
def test_layouts_on_mutated_samples(lines: list[str]) -> None:
    info = SourceInfo(name="x")
    numbered = list(enumerate(lines, 1))
    recs = list(records.iter_records(numbered, info, events.is_candidate, records.ReadOptions()))
    assert all(1 <= r.lineno <= len(numbered) for r in recs)
    for r in recs:
        events.extract(r)


@st.composite
def _mutated_wording(draw):  # type: ignore[no-untyped-def]
    w = draw(st.sampled_from([w for w in catalogue.PATTERNS if w.samples]))
    return _mutate(draw, draw(st.sampled_from(w.samples)))


@SETTINGS
@given(_mutated_wording())
def test_event_recognizers_on_mutated_samples(text: str) -> None:
    t0 = time.perf_counter()
    evs = events.scan(text)
    assert time.perf_counter() - t0 < 2.0
    assert len(evs) <= events.MAX_EVENTS_PER_RECORD
    for ev in evs:
        if ev.view is not None:
            assert len(ev.view.members) <= len(text)


_VIEWISH = st.lists(st.sampled_from(["[", "]", "|", "(", ")", ", ", " ", "a", "b(v=1)", "1", "2", "MergeView::", " subgroups: ", "...", "\x00", "\x1b"]),
                    max_size=200).map("".join)


@SETTINGS
@given(st.one_of(_VIEWISH, st.text(max_size=300)), st.integers(0, 20))
def test_view_parser_total(text: str, pos: int) -> None:
    r = viewparse.parse_view_or_merge(text)
    if r is not None:
        view = r[0] if isinstance(r, tuple) else r
        assert isinstance(view, View) or isinstance(getattr(view, "view", None), View) or view is not None
    viewparse.parse_view_or_merge_at(text, min(pos, len(text)))
    viewparse.split_names(text)
    viewparse.strip_version(text)
    viewparse.bare_name(text)


# ------------------------------------------------------------------------------------------------
# history and analysis on random event sequences built from the models

_NODES = ["a", "b", "c", "kc-0-1", "kc-1-2", "9f3c6a1e-0c1b-4c3e-8a51-1f0d7d0e6c2a"]
_T0 = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


@st.composite
def _view(draw):  # type: ignore[no-untyped-def]
    members = tuple(draw(st.lists(st.sampled_from(_NODES), min_size=0, max_size=4, unique=True)))
    creator = draw(st.sampled_from(_NODES))
    size = draw(st.one_of(st.just(len(members)), st.integers(0, 6)))
    return View(creator=creator, id=draw(st.integers(0, 6)), members=members, size=size, truncated=size > len(members))


@st.composite
def _event(draw):  # type: ignore[no-untyped-def]
    kind = draw(st.sampled_from([Kind.VIEW, Kind.VIEW, Kind.MERGED_VIEW, Kind.CREATED_CLUSTER, Kind.CHANNEL_START,
                                 Kind.LOCAL_ADDRESS, Kind.CHANNEL_STOP, Kind.NODE_JOINED, Kind.NODE_LEFT,
                                 Kind.LOST_MEMBERS, Kind.AVAILABILITY, Kind.RECOVERED, Kind.SUSPECT, Kind.NEW_COORDINATOR,
                                 Kind.DISCOVERY_ERROR, Kind.USER_SYMPTOM, Kind.NODE_NAME]))
    t = draw(st.one_of(st.none(), st.integers(0, 3600).map(lambda s: _T0 + timedelta(seconds=s))))
    tod = draw(st.one_of(st.none(), st.sampled_from(["10:00:00,000", "23:59:59,999", "00:00:01,000"])))
    ev = Event(kind=kind, source=draw(st.sampled_from(["p0.log", "p1.log"])), lineno=draw(st.integers(1, 99)), text="x",
               time=t, time_of_day=tod, pod=draw(st.one_of(st.none(), st.sampled_from(["p0", "p1"]))),
               node=draw(st.one_of(st.none(), st.sampled_from(_NODES))),
               channel=draw(st.sampled_from([None, "ISPN", "ISPN", "ISPN", "ee", ""])))
    if kind in (Kind.VIEW, Kind.MERGED_VIEW):
        ev.view = draw(_view())
        if kind is Kind.MERGED_VIEW:
            ev.subgroups = tuple(draw(st.lists(_view(), max_size=3)))
    if kind in (Kind.NODE_JOINED, Kind.NODE_LEFT, Kind.SUSPECT, Kind.LOCAL_ADDRESS):
        ev.subject = draw(st.sampled_from(_NODES))
    if kind in (Kind.LOST_MEMBERS, Kind.RECOVERED, Kind.NODE_JOINED, Kind.NODE_LEFT):
        ev.members = tuple(draw(st.lists(st.sampled_from(_NODES), max_size=3)))
        ev.lost = ev.members if kind is Kind.LOST_MEMBERS else ()
    if kind is Kind.AVAILABILITY:
        ev.detail["mode"] = draw(st.sampled_from(["AVAILABLE", "DEGRADED_MODE"]))
    if kind is Kind.LOCAL_ADDRESS:
        ev.detail["uuid"] = draw(st.sampled_from(_NODES))
        ev.detail["physical"] = ["10.0.0.1:7800"]
    if kind is Kind.USER_SYMPTOM:
        ev.detail["symptom"] = "expired_code"
    return ev


def _merge_then_stop() -> list[tuple[str, list[Event]]]:
    """Found by scripts/fuzz.py: a merge, then the pod's channel stops (no live pod at the end)."""
    merged = Event(kind=Kind.MERGED_VIEW, source="p0.log", lineno=1, text="x", time=_T0, pod="p0", node="kc-0-1",
                   channel="ISPN", view=View("kc-0-1", 5, ("kc-0-1", "kc-1-2"), 2),
                   subgroups=(View("kc-0-1", 3, ("kc-0-1",), 1), View("kc-1-2", 4, ("kc-1-2",), 1)))
    stop = Event(kind=Kind.CHANNEL_STOP, source="p0.log", lineno=2, text="x", time=_T0 + timedelta(seconds=60), pod="p0",
                 channel="ISPN")
    return [("p0.log", [merged, stop])]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(_merge_then_stop(), None)
@given(st.lists(st.tuples(st.sampled_from(["p0.log", "p1.log", "p2.log"]), st.lists(_event(), max_size=12)), min_size=1, max_size=3),
       st.one_of(st.none(), st.integers(1, 4)))
def test_history_and_analysis_never_raise(sources_events: list[tuple[str, list[Event]]], expect: int | None) -> None:
    collected = []
    for name, evs in sources_events:
        assume(evs or len(sources_events) == 1)
        collected.append(SourceEvents(info=SourceInfo(name=name), events=evs, pod_hint=name.split(".")[0]))
    a = pipeline.analyze_sources(collected, pipeline.AnalyzeOptions(expect=expect))
    assert a.verdict.value in ("healthy", "healed", "split", "alone", "unknown")
    assert a.sentence
    for c in a.channels:
        if c.verdict.value in ("healthy", "healed", "alone"):
            assert c.clusters, f"{c.verdict.value} verdict without a final cluster on {c.channel!r}"
    jsonout.render(a)


# ------------------------------------------------------------------------------------------------
# the Keycloak image's discovery properties: `{k=>v,k=>v}` with or without blanks

_KEY = st.from_regex(r"[a-z][a-z_.]{0,12}", fullmatch=True)
_VAL = st.from_regex(r"[a-z0-9.=-]{1,20}(,[a-z]{1,5}=[a-z0-9]{1,5}){0,2}", fullmatch=True)


@SETTINGS
@given(st.dictionaries(_KEY, _VAL, min_size=1, max_size=5), st.sampled_from([",", ", ", ",  "]))
def test_discovery_properties_split(props: dict[str, str], sep: str) -> None:
    assume(not ({"wording", "protocol", "properties"} & set(props)))
    body = sep.join(f"{k}=>{v}" for k, v in props.items())
    (ev,) = events.scan(f"Setting JGroups discovery to kubernetes.KUBE_PING with properties {{{body}}}")
    assert {k: ev.detail[k] for k in props} == props


def test_keycloak_image_kube_ping_namespace() -> None:
    (ev,) = events.scan("Setting JGroups discovery to kubernetes.KUBE_PING with properties {namespace=>sso,labels=>application=sso}")
    assert ev.detail["namespace"] == "sso" and ev.detail["labels"] == "application=sso"
