"""Composes the stages: sources → records → events → history → analysis (+ findings).

The stages do not import each other; this module and the typed models tie them together, so the
CLI only calls :func:`analyze` (or :func:`iter_events`) and a renderer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timezone, tzinfo
from typing import Any

from jgview.models import Analysis, Event, Finding, Kind, SourceInfo, Verdict
from jgview.struct import Struct, field

OnError = Callable[[str], None]

MAX_EVENTS = 500_000
"""Events kept for the history; past this, symptom events are only counted (memory bound)."""
SYMPTOMS_PER_MINUTE = 10
"""Keycloak error events kept per pod and minute; the rest are counted (memory stays bounded by
the membership events, not by the size of the logs)."""


class AnalyzeOptions(Struct):
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
    prepare: Callable[[], None] | None = None
    """Called while worker processes read the inputs (this process would only wait): the caller
    imports what it needs next (its renderer)."""


class _Src(Struct):
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


def _read_options(src: _Src, opts: AnalyzeOptions) -> Any:
    from jgview import records

    return records.ReadOptions(date=opts.date, pod=src.pod_hint if src.strong else None, tz=opts.tz)


class _NoSpan(Exception):
    """A span of a file could not be read apart (the file changed?): read the whole file."""


def _read(src: _Src, opts: AnalyzeOptions, on_error: OnError, span: tuple[int, int] | None = None,
          facts: dict[str, Any] | None = None) -> tuple[SourceInfo, Iterator[Event]]:
    from jgview import events as ev_stage
    from jgview import records, sources

    info = SourceInfo(name=src.name, pod_hint=src.pod_hint, previous=src.previous)
    ropts = _read_options(src, opts)
    lines: Iterator[tuple[int, str]] | None = None
    if src.path is not None and (span is not None or _maybe_big(src.path)):
        # big files: a scanner finds the candidate lines, only the windows around them are read
        from jgview import fastscan

        lines = fastscan.open_lines(src.inp, info, on_error, read_options=ropts, pod_hint=src.pod_hint,
                                    container_hint=src.container, span=span)
        if lines is None and span is not None:
            raise _NoSpan(src.name)
    if lines is None:
        lines = sources.open_lines(src.inp, info, on_error, stdin=opts.stdin)
    # a weak hint (the file name) is left to the history stage, which checks it against the
    # JGroups names the log prints
    recs = records.iter_records(lines, info, ev_stage.is_candidate, ropts,
                                pod_hint=src.pod_hint if src.strong else None, container_hint=src.container,
                                sample_key=ev_stage.sample_key, facts=facts,
                                resume=span is not None and span[0] > 0)

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


Collected = tuple[SourceInfo, list[Event], int, list[str]]
"""What reading one input gives: its info, the events kept, how many symptom events were only
counted, its one-line problems (in order)."""


def _collect_one(src: _Src, opts: AnalyzeOptions) -> Collected:
    """Read one input. Runs in a worker process when inputs are read in parallel, so it returns
    everything instead of reporting as it goes."""
    return _collect(src, opts, None, None)


Part = tuple[int, int, int]
"""Part ``k`` of ``parts`` of a file of ``size`` bytes: ``(k, parts, size)``."""


def _collect_span(src: _Src, opts: AnalyzeOptions, part: Part) -> tuple[Any, ...] | None:
    """Read one part of a big plain file in a worker: ``("span", (start, end), collected, facts)``
    (lines numbered from 1 at ``start``), ``("skip",)`` when the part is inside the one before it,
    ``("whole", collected)`` when the file cannot be split (its first part reads it all); None when
    the span could not be read apart (the file changed?)."""
    from jgview import fastscan

    k, parts, size = part
    got = fastscan.resolve_span(src.path or "", k, parts, size, _read_options(src, opts), src.pod_hint, src.container)
    if got == fastscan.WHOLE:
        return ("whole", _collect(src, opts, None, None)) if k == 0 else ("skip",)
    if got is None:
        return ("skip",)
    facts: dict[str, Any] = {}
    try:
        return "span", got, _collect(src, opts, got, facts), facts  # type: ignore[arg-type]
    except _NoSpan:
        return None


def _collect(src: _Src, opts: AnalyzeOptions, span: tuple[int, int] | None,
             facts: dict[str, Any] | None) -> Collected:
    msgs: list[str] = []
    info, evs = _read(src, opts, msgs.append, span, facts)
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
scanner is grep) when together they are at least this big; small inputs do not pay for starting
processes. A big plain file is itself split in spans read by several workers."""


def _workers_asked() -> int | None:
    """``JGVIEW_WORKERS`` as a positive number (anything else: not asked, the default applies)."""
    v = os.environ.get("JGVIEW_WORKERS", "").strip()
    return int(v) if v.isdigit() and int(v) > 0 else None


def _parallel_workers(srcs: list[_Src]) -> int:
    asked = _workers_asked()
    if not srcs or asked == 1 or sys.platform != "linux":
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
    return max(1, min(want, cores))


Task = tuple[int, "Part | None"]
"""An input (its index) or one part of it (see :func:`_collect_span`), read by a worker."""


def _plan(srcs: list[_Src], workers: int) -> list[Task]:
    """The inputs to read, big plain files in parts (:func:`jgview.fastscan.span_count`) so that
    every worker has a share: three files on two cores, or one, keep both busy. Where the parts
    start is found by the workers (:func:`jgview.fastscan.resolve_span`), not here."""
    tasks: list[Task] = []
    for i, src in enumerate(srcs):
        parts = 1
        size = 0
        if workers > 1 and src.path is not None:
            from jgview import fastscan

            try:
                size = os.path.getsize(src.path)
            except OSError:
                size = 0
            parts = fastscan.span_count(size, workers) if fastscan.native_available() else 1
        tasks.extend([(i, (k, parts, size)) for k in range(parts)] if parts > 1 else [(i, None)])
    return tasks


def _warm() -> None:
    """Import and set up in this process what every worker uses, before the workers are forked:
    they share it instead of each doing it again."""
    from jgview import catalogue, events, fastscan, records, viewparse  # noqa: F401

    records.load_layouts()
    fastscan.native_available()
    fastscan.scan_words()
    events.make_native_tests()


def _prepare(opts: AnalyzeOptions) -> None:
    """While the workers read: import the stages that come after them (and the caller's renderer)."""
    try:
        from jgview import analysis, findings  # noqa: F401

        findings._load_rules()
        if opts.prepare is not None:
            opts.prepare()
    except Exception:  # noqa: BLE001 - only a head start: the same imports fail later, and say why
        pass


def _collect_parallel(srcs: list[_Src], tasks: list[Task], opts: AnalyzeOptions, workers: int,
                      err: OnError) -> list[Collected]:
    """:func:`_collect_one` of every input in worker processes (:mod:`jgview.workers`: forked at
    the start, while this process runs no other thread), parts of files put together again. An
    input whose worker ended abruptly (killed: out of memory?) is read again in this process, with
    a problem line saying so; so is a file whose parts could not be read apart, or whose worker
    met an error (without a line: the error, if it is one here too, is handled as any other)."""
    import gc

    from jgview import workers as wk

    _warm()
    calls = [(_collect_one, (srcs[i], opts)) if part is None else (_collect_span, (srcs[i], opts, part))
             for i, part in tasks]
    # what is set up so far is shared with the workers, page for page, as long as nobody writes to
    # it: the garbage collector would (its marks are in every object's header), unless frozen
    gc.freeze()

    def meanwhile() -> None:
        gc.unfreeze()  # (the workers are forked by now)
        _prepare(opts)  # (nor is what this imports copied into them)

    try:
        outcomes = wk.run(calls, workers, meanwhile)
    finally:
        gc.unfreeze()
    parts: list[list[Any]] = [[] for _ in srcs]
    again: set[int] = set()
    for (i, part), (outcome, result) in zip(tasks, outcomes):
        if outcome == wk.OK:
            parts[i].append((part, result))
            continue
        if outcome == wk.LOST and i not in again:
            err(f"jgview: the worker process reading '{srcs[i].name}' ended abruptly (killed, out of memory?); "
                "reading it again in one process")
        again.add(i)
    results: list[Collected] = []
    for i, src in enumerate(srcs):
        got = None if i in again else parts[i]
        if got and len(got) == 1 and got[0][0] is None:
            results.append(got[0][1])
            continue
        merged = _merge_spans(got) if got else None
        results.append(merged if merged is not None else _collect_one(src, opts))
    return results


def _minute(t: datetime) -> int:
    return int(t.timestamp() // 60)


def _merge_spans(results: list[tuple[Part, Any]]) -> Collected | None:
    """The parts of one file (:func:`_collect_span`, in order) as one input: line numbers follow
    on, counts add up, the first and last times span them all. None when they do not cover the file
    (it changed while read?) or a span could not be read as the whole file would read it (its lines
    need the dates of lines before it, or several pods' lines run across its start): the caller
    reads it whole."""
    from collections import Counter

    from jgview.records import layout_of

    if any(got is None for _part, got in results):
        return None
    if results[0][1][0] == "whole":
        return results[0][1][1]  # type: ignore[no-any-return]
    parts = [(got[1], (got[2], got[3])) for _part, got in results if got[0] == "span"]
    size = results[0][0][2]
    if not parts or parts[0][0][0] != 0 or parts[-1][0][1] != size \
            or any(a[0][1] != b[0][0] for a, b in zip(parts, parts[1:])):
        return None
    latest = None  # (the latest minute of the parts before)
    for k, (_span, ((part, *_rest), facts)) in enumerate(parts):
        if facts.get("keyed") or (k > 0 and facts.get("time_of_day")):
            return None
        # a minute seen in two parts (the clock went back: logs one after the other in a file)
        # would have its Keycloak events and symptoms counted twice over
        if part.first_time is not None and latest is not None and _minute(part.first_time) <= latest:
            return None
        if part.last_time is not None:
            latest = max(latest or 0, _minute(part.last_time))
    if len(parts) == 1:
        return parts[0][1][0]
    first = parts[0][1][0][0]
    info = SourceInfo(name=first.name, pod_hint=first.pod_hint, previous=first.previous)
    events: list[Event] = []
    summarized = 0
    msgs: list[str] = []
    layouts: Counter[str] = Counter()
    offset = 0
    for _span, ((part, kept, n_summarized, part_msgs), facts) in parts:
        if offset:
            for ev in kept:
                ev.lineno += offset
        events.extend(kept)
        offset += part.lines
        info.lines += part.lines
        info.bytes += part.bytes
        info.records += part.records
        info.undecodable_lines += part.undecodable_lines
        info.long_lines += part.long_lines
        info.sampled_lines += part.sampled_lines
        info.time_only = info.time_only or part.time_only
        for pod in part.pods:
            if pod not in info.pods:
                info.pods.append(pod)
        for env in part.envelopes:
            if env not in info.envelopes:
                info.envelopes.append(env)
        for e in part.errors:
            if e not in info.errors:
                info.errors.append(e)
        if part.first_time is not None and (info.first_time is None or part.first_time < info.first_time):
            info.first_time = part.first_time
        if part.last_time is not None and (info.last_time is None or part.last_time > info.last_time):
            info.last_time = part.last_time
        layouts.update(facts.get("layouts") or {})
        summarized += n_summarized
        msgs.extend(m for m in part_msgs if m not in msgs)
    info.layout = layout_of(layouts) if layouts else None
    return info, events, summarized, msgs


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
    tasks = _plan(srcs, workers) if workers > 1 else []
    results: Iterable[Collected]
    if len(tasks) > 1:
        results = _collect_parallel(srcs, tasks, opts, min(workers, len(tasks)), err)
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
