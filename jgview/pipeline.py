"""Composes the stages: sources → records → events → history → analysis (+ findings).

The stages do not import each other; this module and the typed models tie them together, so the
CLI only calls :func:`analyze` (or :func:`iter_events`) and a renderer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone, tzinfo
from typing import Any

from jgview.models import Analysis, Event, Finding, Kind, SourceInfo, Verdict

OnError = Callable[[str], None]

MAX_EVENTS = 500_000
"""Events kept for the history; past this, symptom events are only counted (memory bound)."""
SYMPTOMS_PER_MINUTE = 10
"""Keycloak error events kept per pod and minute; the rest are counted (memory stays bounded by
the membership events, not by the size of the logs)."""


@dataclass
class AnalyzeOptions:
    expect: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    date: date | None = None
    pod: str | None = None
    tz: tzinfo = timezone.utc
    objects: dict[str, Any] | None = None
    """Kubernetes objects (from a collect bundle) to check alongside the logs."""
    stdin: Any = None
    """Binary stream used for ``-`` (tests pass one; default ``sys.stdin.buffer``)."""
    keep_events: bool = True
    extra_findings: list[Finding] = field(default_factory=list)


@dataclass
class _Src:
    name: str
    path: str | None
    pod_hint: str | None
    strong: bool
    previous: bool
    container: str | None = None
    inp: Any = None


def _is_bundle_dir(path: str) -> bool:
    """A collect bundle, or an ``oc adm inspect`` / must-gather folder (nested one level too)."""
    if not os.path.isdir(path):
        return False
    from jgview import bundle

    return bundle.is_bundle(path)


def _inputs(paths: list[str], opts: AnalyzeOptions, on_error: OnError) -> tuple[list[_Src], dict[str, Any] | None]:
    from jgview import sources

    objects: dict[str, Any] | None = opts.objects
    out: list[_Src] = []
    plain: list[str] = []
    for p in paths or ["-"]:
        if p != "-" and _is_bundle_dir(p):
            from jgview import bundle

            try:
                logs = bundle.bundle_inputs(p)
                objs = bundle.load_objects(p)
            except (OSError, ValueError) as exc:
                on_error(f"jgview: cannot read bundle '{p}': {exc}")
                continue
            for bl in logs:
                inp = sources.Input(name=bl.path, path=bl.path, pod_hint=bl.pod, container=bl.container, previous=bl.previous)
                out.append(_Src(bl.path, bl.path, bl.pod, True, bl.previous, bl.container, inp))
            if objs:
                objects = _merge_objects(objects, objs)
            continue
        plain.append(p)
    if plain:
        for inp in sources.discover(plain, on_error):
            hint = opts.pod if (inp.path is None and opts.pod) else inp.pod_hint
            strong = bool(opts.pod and inp.path is None)
            if opts.pod and len(plain) == 1 and inp.path is not None and not os.path.isdir(plain[0]):
                hint, strong = opts.pod, True
            out.append(_Src(inp.name, inp.path, hint, strong, inp.previous, inp.container, inp))
    return out, objects


def _merge_objects(a: dict[str, Any] | None, b: dict[str, Any]) -> dict[str, Any]:
    if not a:
        return dict(b)
    merged = dict(a)
    for k, v in b.items():
        if isinstance(v, list) and isinstance(merged.get(k), list):
            merged[k] = merged[k] + v
        else:
            merged.setdefault(k, v)
    return merged


def _read(src: _Src, opts: AnalyzeOptions, on_error: OnError) -> tuple[SourceInfo, Iterator[Event]]:
    from jgview import events as ev_stage
    from jgview import records, sources

    info = SourceInfo(name=src.name, pod_hint=src.pod_hint, previous=src.previous)
    ropts = records.ReadOptions(date=opts.date, pod=src.pod_hint if src.strong else None, tz=opts.tz)
    lines: Iterator[tuple[int, str]] | None = None
    if src.path is not None and _maybe_big(src.path):
        # big files: grep finds the candidate lines, only the windows around them are read
        from jgview import fastscan

        lines = fastscan.open_lines(src.inp, info, on_error, read_options=ropts, pod_hint=src.pod_hint,
                                    container_hint=src.container)
    if lines is None:
        lines = sources.open_lines(src.inp, info, on_error, stdin=opts.stdin)
    # a weak hint (the file name) is left to the history stage, which checks it against the
    # JGroups names the log prints
    recs = records.iter_records(lines, info, ev_stage.is_candidate, ropts,
                                pod_hint=src.pod_hint if src.strong else None, container_hint=src.container,
                                sample_key=ev_stage.sample_key)

    def gen() -> Iterator[Event]:
        for rec in recs:
            yield from ev_stage.extract(rec)

    return info, gen()


FASTSCAN_PROBE = 1 << 20
"""Files smaller than this never go to the fast scanner (whose own threshold is larger unless
``JGVIEW_FASTSCAN_MIN`` lowers it): small inputs do not pay for importing it."""


def _maybe_big(path: str) -> bool:
    if os.environ.get("JGVIEW_FASTSCAN_MIN"):
        return True
    try:
        return os.path.getsize(path) >= FASTSCAN_PROBE
    except OSError:
        return True  # let the reader report it


def iter_events(paths: list[str], opts: AnalyzeOptions, on_error: OnError,
                on_warning: OnError | None = None) -> Iterator[Event]:
    """Every membership event of every input, in input order (for ``jgview events``).

    Each source's events are given their pods as the analysis does (prefixes, the JGroups names a
    log prints, the file name as a weak hint), so a source is yielded once it has been read."""
    from jgview.history import SourceEvents, assign_pods

    srcs, _ = _inputs(paths, opts, on_error)
    for src in srcs:
        info, evs = _read(src, opts, on_error)
        events = [ev for ev in evs if _in_window(ev, opts)]
        warnings: list[str] = []
        assign_pods(SourceEvents(info=info, events=events, pod_hint=src.pod_hint, strong_hint=src.strong), warnings)
        for w in warnings:
            if on_warning:
                on_warning(f"jgview: warning: {w}")
        yield from events


def _in_window(ev: Event, opts: AnalyzeOptions) -> bool:
    if ev.time is None:
        return True
    if opts.until is not None and ev.time > opts.until:
        return False
    return True


def _collect_one(src: _Src, opts: AnalyzeOptions) -> tuple[SourceInfo, list[Event], int, list[str]]:
    """Read one input: its info, the events kept, how many symptom events were only counted,
    and its one-line problems (in order). Runs in a worker process when inputs are read in
    parallel, so it returns everything instead of reporting as it goes."""
    msgs: list[str] = []
    info, evs = _read(src, opts, msgs.append)
    kept: list[Event] = []
    summarized = 0
    per_minute: dict[tuple[str | None, object], int] = {}
    for ev in evs:
        if not _in_window(ev, opts):
            continue
        if ev.kind is Kind.USER_SYMPTOM:
            # user-visible errors can be a large share of a log: keep a few per pod and minute
            # (enough to date a burst and cite it), count the rest
            minute = int(ev.time.timestamp() // 60) if ev.time else (ev.time_of_day or "")[:5]
            key = (ev.pod, minute)
            n = per_minute.get(key, 0)
            per_minute[key] = n + 1
            if n >= SYMPTOMS_PER_MINUTE or len(kept) >= MAX_EVENTS:
                summarized += 1
                continue
        kept.append(ev)
    return info, kept, summarized, msgs


PARALLEL_MIN_BYTES = 32 << 20
"""Inputs are read in parallel worker processes (one per core, or per two cores when the fast
scanner is grep) when there are several files
and together they are at least this big; small inputs do not pay for starting processes."""


def _workers_asked() -> int | None:
    """``JGVIEW_WORKERS`` as a positive number (anything else: not asked, the default applies)."""
    v = os.environ.get("JGVIEW_WORKERS", "").strip()
    return int(v) if v.isdigit() and int(v) > 0 else None


def _parallel_workers(srcs: list[_Src]) -> int:
    asked = _workers_asked()
    if len(srcs) < 2 or asked == 1 or sys.platform != "linux":
        return 1
    if any(s.path is None for s in srcs):
        return 1
    total = 0
    for s in srcs:
        try:
            total += os.path.getsize(s.path)  # type: ignore[arg-type]
        except OSError:
            pass
    if total < PARALLEL_MIN_BYTES and not asked:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    # with the native scanner, reading a big file is mostly Python work on its candidate lines: a
    # worker per core. With grep, each big file already keeps two cores busy (a grep per range): a
    # worker per two cores, so that memory does not grow for no gain
    from jgview import fastscan

    want = asked or (cores if fastscan.native_available() else cores // 2)
    return max(1, min(want, cores, len(srcs)))


def _collect_parallel(srcs: list[_Src], opts: AnalyzeOptions, workers: int,
                      err: OnError) -> list[tuple[SourceInfo, list[Event], int, list[str]]]:
    """:func:`_collect_one` of every input in worker processes (forked all at once at the start,
    while this process runs no other thread). An input whose worker ended abruptly (killed: out of
    memory?) is read again in this process, with a problem line saying so."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    results = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as ex:
        futures = [ex.submit(_collect_one, src, opts) for src in srcs]
        for src, fut in zip(srcs, futures):
            try:
                results.append(fut.result())
            except BrokenProcessPool:
                err(f"jgview: the worker process reading '{src.name}' ended abruptly (killed, out of memory?); "
                    "reading it again in one process")
                results.append(_collect_one(src, opts))
    return results


def analyze(paths: list[str], opts: AnalyzeOptions | None = None, on_error: OnError | None = None) -> Analysis:
    """Read every input and return the analysis. Input problems go to ``on_error`` (one line
    each) and are listed in ``Analysis.problems``; the other inputs are still analyzed.

    Several big files are read in parallel worker processes (one per core); the history and
    the analysis then run once over all their events."""
    from jgview.history import SourceEvents

    opts = opts or AnalyzeOptions()
    problems: list[str] = []

    def err(msg: str) -> None:
        if msg in problems:
            return
        problems.append(msg)
        if on_error:
            on_error(msg)

    srcs, objects = _inputs(paths, opts, err)
    collected: list[SourceEvents] = []
    summarized = 0
    workers = _parallel_workers(srcs)
    if workers > 1:
        results = _collect_parallel(srcs, opts, workers, err)
    else:
        results = (_collect_one(src, opts) for src in srcs)
    for src, (info, kept, n_summarized, msgs) in zip(srcs, results):
        for m in msgs:
            err(m)
        summarized += n_summarized
        collected.append(
            SourceEvents(info=info, events=kept, pod_hint=src.pod_hint, strong_hint=src.strong, previous=src.previous)
        )
    result = analyze_sources(collected, opts, problems, objects)
    summarized += sum(c.info.sampled_lines for c in collected)
    if summarized:
        result.stats["symptoms_summarized"] = summarized
    return result


def analyze_sources(
    collected: list[Any], opts: AnalyzeOptions, problems: list[str] | None = None, objects: dict[str, Any] | None = None
) -> Analysis:
    """History, analysis and findings for already-extracted events (also used by ``--follow``)."""
    from jgview import analysis as an
    from jgview import history as hist

    problems = problems if problems is not None else []
    objects = objects if objects is not None else opts.objects
    h = hist.build(collected)
    expect = opts.expect
    if expect is None and objects:
        try:
            from jgview.objects import expected_replicas

            expect = expected_replicas(objects)
        except (ImportError, KeyError, TypeError, ValueError):
            expect = None
    since_t = opts.since.timestamp() if opts.since else None
    results = [an.analyze_group(h, g, expect, since_t) for g in an.cluster_groups(h)]
    channels = [r.analysis for r in results]
    pods = an.pod_states(h, results)
    if opts.until is not None:  # the window ends the evidence: so does each pod's log
        for ps in pods:
            if ps.last_time is not None and ps.last_time > opts.until:
                ps.last_time = opts.until
    verdict = max((c.verdict for c in channels), key=lambda v: v.rank, default=Verdict.UNKNOWN)
    infos = [s.info for s in collected]
    stats = {
        "sources": len(infos),
        "lines": sum(i.lines for i in infos),
        "events": len(h.events),
        "bytes": sum(i.bytes for i in infos),
        "records": sum(i.records for i in infos),
        "undecodable_lines": sum(i.undecodable_lines for i in infos),
        "long_lines": sum(i.long_lines for i in infos),
        "duplicates": h.duplicates,
    }
    result = Analysis(
        verdict=verdict,
        sentence="",
        channels=channels,
        pods=pods,
        findings=[],
        sources=infos,
        stats=stats,
        events=h.events if opts.keep_events else [],
        problems=list(problems) + [],
        window=(opts.since, opts.until),
        cluster_objects=objects,
    )
    result.stats["warnings"] = list(h.warnings)
    result.time_axis = "time-of-day" if h.relative_time else "absolute"
    keys = [h.tkey[id(ev)] for ev in h.events if id(ev) in h.tkey]
    ends = [ph.last_t for ph in h.pods.values() if ph.last_t is not None]
    if keys or ends:
        result.t_range = (min(keys + ends), max(keys + ends))
    findings: list[Finding] = list(opts.extra_findings)
    try:
        from jgview import findings as fnd
    except ImportError:  # pragma: no cover - the findings engine ships with the package
        fnd = None  # type: ignore[assignment]
    if fnd is not None:
        findings.extend(fnd.evaluate(fnd.Context(history=h, results=results, analysis=result, objects=objects, expect=expect)))
    if objects:
        try:
            from jgview.objects import check_objects

            findings.extend(check_objects(objects, [p.name for p in pods]))
        except ImportError:  # pragma: no cover
            pass
    findings = _dedupe_findings(findings)
    findings.sort(key=lambda f: (-f.severity.rank, f.id))
    result.findings = findings
    result.sentence = sentence(result)
    return result


def _dedupe_findings(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per id: the logs' and the cluster objects' views of the same cause (e.g. R3
    from a 403 in the logs and from ``kubectl auth can-i``) are merged, evidence from both."""
    seen: dict[str, Finding] = {}
    for f in findings:
        prev = seen.get(f.id)
        if prev is None:
            seen[f.id] = f
            continue
        if f.summary == prev.summary:
            continue
        if f.severity.rank > prev.severity.rank:
            prev.severity = f.severity
        prev.summary = f"{prev.summary} Also: {f.summary}"
        prev.evidence = (prev.evidence + [e for e in f.evidence if e not in prev.evidence])[:8]
        if f.remediation and f.remediation not in prev.remediation:
            prev.remediation = f"{prev.remediation}\n\n{f.remediation}" if prev.remediation else f.remediation
    return list(seen.values())


def sentence_body(a: Analysis) -> str:
    """The sentence without its ``VERDICT:`` prefix (for displays that show the verdict apart)."""
    prefix = a.verdict.value.upper()
    s = a.sentence
    for sep in (": ", " on "):
        if s.startswith(prefix + sep):
            return s[len(prefix) + len(sep):] if sep == ": " else s[len(prefix) + 1:]
    return s


def sentence(a: Analysis) -> str:
    """The verdict in one sentence (and, when it is not a split, the first error finding)."""
    s = _verdict_sentence(a)
    errors = [f for f in a.findings if f.severity.value == "error"]
    if errors and a.verdict is not Verdict.SPLIT:
        s += f" But {len(errors)} error finding(s): {errors[0].summary}"
    return s


def _verdict_sentence(a: Analysis) -> str:
    chans = a.channels
    if not chans:
        if a.stats.get("lines", 0) == 0:
            return "No log lines were read, so there is no membership evidence."
        return "No JGroups membership evidence was found (no views, channel starts or coordinator lines)."
    worst = [c for c in chans if c.verdict is a.verdict] or chans
    c = worst[0]
    where = f"channel {c.channel}" + (f" ({c.group})" if c.group and len([x for x in chans if x.channel == c.channel]) > 1 else "")
    n_pods = len({p for cl in c.clusters for p in cl.seen_by})
    if not c.clusters and a.verdict is not Verdict.SPLIT:
        return f"{a.verdict.value.upper()} on {where}: {c.reason}."
    if a.verdict is Verdict.SPLIT:
        if len(c.clusters) >= 2:
            parts = "; ".join(
                f"{', '.join(cl.seen_by[:4])}{' …' if len(cl.seen_by) > 4 else ''} in {cl.view_id}" for cl in c.clusters[:4]
            )
            return f"SPLIT: the pods on {where} form {len(c.clusters)} separate clusters ({parts})."
        return f"SPLIT on {where}: {c.reason}."
    if a.verdict is Verdict.HEALED:
        return f"HEALED: {n_pods} pod(s) on {where} are one cluster again ({c.clusters[0].view_id}), after a split."
    if a.verdict is Verdict.HEALTHY:
        cl = c.clusters[0]
        return f"HEALTHY: {n_pods} pod(s) on {where} form one cluster {cl.view_id} of {cl.size} member(s), coordinator {cl.coordinator}."
    if a.verdict is Verdict.ALONE:
        cl = c.clusters[0]
        return f"ALONE: one pod ({', '.join(cl.seen_by)}) on {where}, alone in its cluster {cl.view_id}."
    return f"UNKNOWN on {where}: {c.reason}."
