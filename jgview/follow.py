"""``jgview --follow``: read growing inputs and raise the alarm the moment the pods split.

Readers (one thread per input: stdin, or files followed like ``tail -F`` through rotation and
truncation, or ``kubectl logs -f`` processes fed by ``collect -f``) put lines on one queue; the
main thread parses candidate lines one at a time (no multi-line joining, so an event is seen as
soon as its line arrives), keeps the events, and re-runs the history and analysis — cheap,
because it is bounded by the number of events, not of lines — at most a few times a second.

Output: on a terminal a rich Live view (verdict, clusters per channel, latest events, alerts);
otherwise (or with ``--json``) one JSON object per line each time the verdict or the clusters
change, flushed at once. ``--exit-on-split`` exits 1 at the first split. When every input has
ended, or on Ctrl-C, the final summary is printed and the usual exit code returned.
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TextIO

from jgview.models import Analysis, Event, Kind, SourceInfo, Verdict

ANALYZE_EVERY = 0.25
"""Seconds between re-analyses while lines keep arriving (an event is shown within a second)."""
POLL = 0.2
"""Seconds between checks of a followed file that has no new data."""
MAX_EVENTS_PER_SOURCE = 20_000
"""Past this, old detail is summarized: identity events are kept, the rest trimmed to the newest."""
KEEP_RECENT = 5_000

_IDENTITY = {Kind.CHANNEL_START, Kind.CHANNEL_STOP, Kind.LOCAL_ADDRESS, Kind.CREATED_CLUSTER, Kind.NODE_NAME}

_EOF = object()


@dataclass
class _Stream:
    name: str
    pod_hint: str | None
    strong: bool
    info: SourceInfo
    events: list[Event] = field(default_factory=list)
    parser: Any = None
    open: bool = True
    trimmed: int = 0


class FileTailer(threading.Thread):
    """Follow a file like ``tail -F``: from its start, then as it grows; reopen after rotation,
    start over after truncation; wait for a file that does not exist yet."""

    def __init__(self, idx: int, path: str, out: "queue.Queue[Any]", stop: threading.Event, poll: float = POLL):
        super().__init__(daemon=True, name=f"tail:{path}")
        self.idx, self.path, self.out, self.stop, self.poll = idx, path, out, stop, poll

    def run(self) -> None:
        f = None
        ino = None
        pos = 0
        lineno = 0
        buf = b""
        warned = False
        while not self.stop.is_set():
            if f is None:
                try:
                    f = open(self.path, "rb")  # noqa: SIM115 - kept open while following
                    st = os.fstat(f.fileno())
                    ino, pos, buf = st.st_ino, 0, b""
                except OSError as exc:
                    if not warned:
                        self.out.put((self.idx, "error", f"jgview: cannot read '{self.path}': {exc.strerror or exc}; waiting for it"))
                        warned = True
                    self.stop.wait(self.poll)
                    continue
            chunk = f.read(1 << 16)
            if chunk:
                pos += len(chunk)
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for raw in lines:
                    lineno += 1
                    self.out.put((self.idx, lineno, raw))
                if len(buf) > 4 << 20:  # bounded: an endless line is cut
                    lineno += 1
                    self.out.put((self.idx, lineno, buf[: 4 << 20]))
                    buf = b""
                continue
            # no data: rotated, truncated, or just quiet?
            try:
                st = os.stat(self.path)
            except OSError:
                st = None
            if st is not None and st.st_ino != ino:
                f.close()
                f = None  # rotated: the rest of the old file was read; reopen the new one
                continue
            if st is not None and st.st_size < pos:
                f.seek(0)
                pos, buf = 0, b""
                continue
            self.stop.wait(self.poll)
        if f is not None:
            f.close()


def _pipe_reader(idx: int, stream: Any, out: "queue.Queue[Any]") -> threading.Thread:
    """Read a pipe with ``os.read`` on its descriptor (a thread blocked in a buffered reader
    would hold its lock and abort the interpreter at exit)."""

    def run() -> None:
        lineno = 0
        buf = b""
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        try:
            while True:
                chunk = os.read(fd, 1 << 16) if fd is not None else stream.read1(1 << 16)
                if not chunk:
                    break
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for raw in lines:
                    lineno += 1
                    out.put((idx, lineno, raw))
                if len(buf) > 4 << 20:
                    lineno += 1
                    out.put((idx, lineno, buf[: 4 << 20]))
                    buf = b""
            if buf:
                lineno += 1
                out.put((idx, lineno, buf))
        except (OSError, ValueError) as exc:
            out.put((idx, "error", f"jgview: reading <stdin> failed: {exc}"))
        out.put((idx, _EOF, None))

    t = threading.Thread(target=run, daemon=True, name=f"pipe:{idx}")
    t.start()
    return t


class Follower:
    """The incremental analysis behind ``--follow`` (usable without a terminal, for tests)."""

    def __init__(self, opts: Any, on_error: Callable[[str], None]):
        from jgview import events as ev_stage
        from jgview import records

        self.opts = opts
        self.on_error = on_error
        self.streams: list[_Stream] = []
        self.q: "queue.Queue[Any]" = queue.Queue(maxsize=100_000)
        self.stop = threading.Event()
        self._records = records
        self._ev = ev_stage
        self.dirty = False
        self.analysis: Analysis | None = None
        self.recent: deque[Event] = deque(maxlen=12)
        self.alerts: deque[str] = deque(maxlen=8)
        self.problems: list[str] = []
        self.seen_split = False
        self.last_sig: Any = None
        self.expect_more = False

    # ---- inputs
    def add_stream(self, name: str, pod_hint: str | None = None, strong: bool = False) -> int:
        info = SourceInfo(name=name, pod_hint=pod_hint)
        ropts = self._records.ReadOptions(date=self.opts.date, pod=pod_hint if strong else None, tz=self.opts.tz)
        parser = self._records.LineParser(ropts, source=name, pod_hint=pod_hint)
        self.streams.append(_Stream(name=name, pod_hint=pod_hint, strong=strong, info=info, parser=parser))
        return len(self.streams) - 1

    def follow_paths(self, paths: list[str], stdin: Any = None) -> None:
        from jgview import sources

        plain = [p for p in paths if p != "-"]
        if not paths or "-" in paths:
            idx = self.add_stream("<stdin>", self.opts.pod, bool(self.opts.pod))
            _pipe_reader(idx, stdin if stdin is not None else sys.stdin.buffer, self.q)
        for p in plain:
            if os.path.isdir(p):
                for inp in sources.discover([p], self._error):
                    idx = self.add_stream(inp.name, inp.pod_hint)
                    FileTailer(idx, inp.path or inp.name, self.q, self.stop).start()
            else:
                hint = sources.pod_hint_from_path(p)[0] if hasattr(sources, "pod_hint_from_path") else None
                idx = self.add_stream(p, self.opts.pod or hint, bool(self.opts.pod))
                FileTailer(idx, p, self.q, self.stop).start()

    def put_line(self, idx: int, lineno: int, raw: bytes) -> None:
        """Queue one line of stream ``idx`` (thread-safe; used by readers such as ``collect -f``)."""
        self.q.put((idx, lineno, raw))

    def report_error(self, idx: int, msg: str) -> None:
        """Report a one-line problem of stream ``idx`` (shown once, kept in the summary)."""
        self.q.put((idx, "error", msg))

    def close_stream(self, idx: int) -> None:
        """Say that stream ``idx`` has ended (its pod stopped logging)."""
        self.q.put((idx, _EOF, None))

    def keep_open(self) -> None:
        """Do not end when every stream has ended (new streams may still come, e.g. new pods)."""
        self.expect_more = True

    def _error(self, msg: str) -> None:
        self.problems.append(msg)
        self.on_error(msg)

    # ---- processing
    def feed(self, idx: int, lineno: Any, raw: Any) -> None:
        st = self.streams[idx]
        if lineno is _EOF:
            st.open = False
            self.dirty = True
            return
        if lineno == "error":
            self._error(str(raw))
            self.dirty = True  # the summary must include it
            return
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        if text.endswith("\r"):
            text = text[:-1]
        st.info.lines += 1
        st.info.bytes += len(raw) + 1
        if not self._ev.is_candidate(text):
            return
        rec = st.parser.parse(text, lineno)
        if rec.time is not None:
            if st.info.first_time is None:
                st.info.first_time = rec.time
            st.info.last_time = rec.time
        if rec.pod and rec.pod not in st.info.pods:
            st.info.pods.append(rec.pod)
        for ev in self._ev.extract(rec):
            if self.opts.until is not None and ev.time is not None and ev.time > self.opts.until:
                continue
            st.events.append(ev)
            self.recent.append(ev)
            self.dirty = True
        if len(st.events) > MAX_EVENTS_PER_SOURCE:
            self._trim(st)

    def _trim(self, st: _Stream) -> None:
        keep_ids = {id(e) for e in st.events[-KEEP_RECENT:]}
        before = len(st.events)
        st.events = [e for e in st.events if e.kind in _IDENTITY or id(e) in keep_ids]
        st.trimmed += before - len(st.events)

    def analyze(self) -> Analysis:
        from jgview.history import SourceEvents
        from jgview.pipeline import analyze_sources

        now_t = max((s.info.last_time for s in self.streams if s.info.last_time), default=None)
        collected = []
        for s in self.streams:
            info = s.info
            if s.open and now_t is not None:
                # a stream still open is a log that goes on: its end is the newest time seen
                info = s.info.replace(last_time=now_t)
            collected.append(
                SourceEvents(info=info, events=list(s.events), pod_hint=s.pod_hint, strong_hint=s.strong)
            )
        self.analysis = analyze_sources(collected, self.opts, list(self.problems))
        if any(s.trimmed for s in self.streams):
            self.analysis.stats["summarized_events"] = sum(s.trimmed for s in self.streams)
        self.dirty = False
        return self.analysis

    def signature(self, a: Analysis) -> Any:
        return (
            a.verdict,
            tuple(
                (c.channel, c.group, c.verdict, tuple((cl.view_id, tuple(cl.seen_by)) for cl in c.clusters))
                for c in a.channels
            ),
        )

    def change(self, a: Analysis) -> str | None:
        """Compare with the last state: ``start`` (the first state), ``split`` (the pods split),
        ``healed`` (one cluster again after a split), ``verdict`` (another verdict change),
        ``clusters`` (same verdict, other clusters), or None when nothing changed."""
        sig = self.signature(a)
        if sig == self.last_sig:
            return None
        prev = self.last_sig[0] if self.last_sig else None
        self.last_sig = sig
        if a.verdict is Verdict.SPLIT and prev is not Verdict.SPLIT:
            self.seen_split = True
            self.alerts.append(f"{_now()}  {a.sentence}")
            return "split"
        if prev is Verdict.SPLIT and a.verdict is not Verdict.SPLIT:
            self.alerts.append(f"{_now()}  healed — {a.sentence}")
            return "healed"
        if prev is None:
            return "start"
        return "verdict" if prev is not a.verdict else "clusters"

    @property
    def all_ended(self) -> bool:
        return not self.expect_more and bool(self.streams) and not any(s.open for s in self.streams)

    def drain(self, timeout: float) -> bool:
        """Process queued lines for up to ``timeout`` seconds; True when something arrived."""
        got = False
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                item = self.q.get(timeout=remaining)
            except queue.Empty:
                break
            self.feed(*item)
            got = True
            # keep draining what is already there without waiting
            while True:
                try:
                    self.feed(*self.q.get_nowait())
                except queue.Empty:
                    break
            if self.dirty:
                break
        return got


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%H:%M:%S")


def _state_json(a: Analysis, change: str) -> dict[str, Any]:
    from jgview.render.jsonout import cluster, finding

    return {
        "schema_version": 1,
        "time": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        "change": change,
        "verdict": a.verdict.value,
        "summary": a.sentence,
        "channels": [
            {"channel": c.channel, "group": c.group, "verdict": c.verdict.value, "clusters": [cluster(x) for x in c.clusters]}
            for c in a.channels
        ],
        "findings": [finding(f) for f in a.findings if f.severity.value != "info"],
    }


def _live_view(f: Follower) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from jgview.pipeline import sentence_body
    from jgview.render.safe import clean_line
    from jgview.render.terminal import VERDICT_STYLE

    a = f.analysis
    parts: list[Any] = []
    head = Text()
    if a is None:
        head.append(" WAITING ", style="bold white on grey37")
        head.append("  no membership event yet")
    else:
        head.append(f" {a.verdict.value.upper()} ", style=VERDICT_STYLE[a.verdict])
        head.append("  " + clean_line(sentence_body(a)))
    parts.append(head)
    if a is not None:
        t = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
        for col in ("channel", "cluster", "coordinator", "size", "pods"):
            t.add_column(col)
        for c in a.channels:
            for cl in c.clusters:
                t.add_row(*(Text(clean_line(x)) for x in (c.channel, cl.view_id, cl.coordinator, str(cl.size), ", ".join(cl.seen_by))))
        parts.append(t)
    for al in f.alerts:
        parts.append(Text(clean_line(al), style="bold red" if "SPLIT" in al[:20] else "bold green"))
    if f.recent:
        parts.append(Text("latest events:", style="dim"))
        for ev in list(f.recent)[-8:]:
            when = ev.time.strftime("%H:%M:%S") if ev.time else (ev.time_of_day or "")
            what = ev.view.view_id if ev.view else (ev.subject or "")
            parts.append(Text(clean_line(f"  {when}  {ev.pod or '?'}  {ev.kind.value}  {what}", 200), style="dim"))
    lines = sum(s.info.lines for s in f.streams)
    open_n = sum(1 for s in f.streams if s.open)
    parts.append(Text(f"{lines} lines from {len(f.streams)} input(s), {open_n} still open — Ctrl-C for the summary", style="dim"))
    return Group(*parts)


def run(paths: list[str], opts: Any, *, json_out: bool = False, exit_on_split: bool = False,
        stdin: Any = None, out: TextIO | None = None, err: Callable[[str], None] | None = None,
        setup: Callable[[Follower], None] | None = None) -> int:
    """Follow the inputs until they end (or Ctrl-C); returns the exit code.

    ``setup``, when given, starts the readers instead of ``paths`` (``collect -f`` starts one
    ``kubectl logs -f`` per pod and container with :meth:`Follower.add_stream`,
    :meth:`Follower.put_line` and :meth:`Follower.close_stream`)."""
    from jgview.commands.common import stderr_line
    from jgview.render.jsonout import dumps
    from jgview.render.jsonout import render as render_json

    out = out or sys.stdout
    on_error = err or stderr_line
    f = Follower(opts, on_error)
    if setup is not None:
        setup(f)
    else:
        f.follow_paths(paths, stdin)
    tty = hasattr(out, "isatty") and out.isatty() and not json_out
    live = None
    if tty:
        from rich.live import Live

        from jgview.render.terminal import make_console

        live = Live(_live_view(f), console=make_console(out), refresh_per_second=4, transient=False)
        live.start()
    last_analysis = 0.0
    code: int | None = None
    try:
        while True:
            f.drain(ANALYZE_EVERY)
            now = time.monotonic()
            if f.dirty and (now - last_analysis >= ANALYZE_EVERY or f.all_ended):
                a = f.analyze()
                last_analysis = now
                ch = f.change(a)
                if ch is not None and not tty:
                    out.write(dumps(_state_json(a, ch), indent=None) + "\n")
                    out.flush()
                if live is not None:
                    live.update(_live_view(f))
                if exit_on_split and a.verdict is Verdict.SPLIT:
                    code = 1
                    break
            elif live is not None:
                live.update(_live_view(f))
            if f.all_ended and not f.dirty and f.q.empty():
                break
    except KeyboardInterrupt:
        pass
    finally:
        f.stop.set()
        if live is not None:
            live.stop()
    a = f.analysis if f.analysis is not None and not f.dirty else f.analyze()
    if code is None:
        code = a.exit_code
    # the final summary: one more JSON line off a terminal, the usual summary on one
    if json_out or not tty:
        doc = json.loads(render_json(a))
        doc["change"] = "final"
        out.write(dumps(doc, indent=None) + "\n")
        out.flush()
    else:
        from jgview.render.terminal import make_console
        from jgview.render.terminal import render as render_term

        render_term(a, make_console(out))
    return code


def follow_lines(lines: Iterable[str], opts: Any) -> list[tuple[str, Analysis]]:
    """Feed lines one by one (tests, scripting); returns each state change with its analysis."""
    f = Follower(opts, lambda m: None)
    idx = f.add_stream("<lines>", opts.pod, bool(opts.pod))
    changes: list[tuple[str, Analysis]] = []
    for n, line in enumerate(lines, 1):
        f.feed(idx, n, line.encode())
        if f.dirty:
            a = f.analyze()
            ch = f.change(a)
            if ch:
                changes.append((ch, a))
    return changes
