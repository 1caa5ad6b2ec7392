"""The terminal summary for people: verdict first, then why and how to fix it, then detail.

Every log-derived string goes through :func:`jgview.render.safe.clean` and into a rich ``Text``
(never parsed as markup), so names and messages print literally.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from jgview.models import Analysis, Finding, Interval, Severity, Verdict
from jgview.render.safe import clean, clean_line

VERDICT_STYLE = {
    Verdict.SPLIT: "bold white on red",
    Verdict.HEALED: "bold black on yellow",
    Verdict.HEALTHY: "bold white on green",
    Verdict.ALONE: "bold black on cyan",
    Verdict.UNKNOWN: "bold white on grey37",
}
SEV_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "cyan"}


def T(s: object, style: str = "") -> Text:
    return Text(clean_line(s), style=style)


def _when(i: Interval, start: bool) -> str:
    dt = i.start if start else i.end
    txt = i.start_text if start else i.end_text
    if dt is not None:
        return dt.strftime("%Y-%m-%d %H:%M:%S") + "Z"
    return txt or ("?" if start else "end of evidence")


def render(a: Analysis, console: Console, *, verbose: bool = False, max_evidence: int = 5) -> None:
    out = console
    line = Text()
    line.append(f" {a.verdict.value.upper()} ", style=VERDICT_STYLE[a.verdict])
    line.append(" ")
    from jgview.pipeline import sentence_body

    line.append(clean_line(sentence_body(a)))
    out.print(line)

    # findings: why, and how to fix it
    shown = [f for f in a.findings if verbose or f.severity is not Severity.INFO]
    hidden = len(a.findings) - len(shown)
    for f in shown:
        _finding(out, f, max_evidence)
    if hidden:
        out.print(Text(f"({hidden} informational finding(s) not shown; use --verbose or --json)", style="dim"))

    # clusters per channel
    for c in a.channels:
        out.print()
        head = Text()
        head.append("Channel ", style="bold")
        head.append(clean_line(c.channel), style="bold")
        if c.group:
            head.append(f"  ({clean_line(c.group)})", style="dim")
        head.append("  ")
        head.append(c.verdict.value, style=VERDICT_STYLE[c.verdict])
        if c.reason:
            head.append("  " + clean_line(c.reason), style="dim")
        out.print(head)
        if c.clusters:
            t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
            t.add_column("cluster")
            t.add_column("coordinator")
            t.add_column("size", justify="right")
            t.add_column("members")
            t.add_column("pods seeing it")
            for n, cl in enumerate(c.clusters, 1):
                members = ", ".join(cl.members[:12]) + (f" … (+{len(cl.members) - 12})" if len(cl.members) > 12 else "")
                t.add_row(
                    T(f"#{n} {cl.view_id}" + (" (implied)" if cl.implied else "")),
                    T(cl.coordinator),
                    T(cl.size),
                    T(members),
                    T(", ".join(cl.seen_by)),
                )
            out.print(t)
        for s in c.splits:
            groups = " | ".join(", ".join(g) for g in s.groups)
            out.print(T(f"  split   {_when(s, True)} → {_when(s, False)}   {groups}", "red"))
        for m in c.merges:
            groups = " + ".join("[" + ", ".join(g) + "]" for g in m.groups)
            out.print(T(f"  merged  {_when(m, False)}  {m.view_id or ''}  from {groups}", "yellow"))

    # pods
    if any(p.incarnations or p.channels for p in a.pods):
        out.print()
        t = Table(title=None, show_header=True, header_style="bold", box=None, pad_edge=False)
        t.add_column("pod")
        t.add_column("live")
        t.add_column("current view")
        t.add_column("incarnations (JGroups name)")
        t.add_column("log", no_wrap=True)
        for p in a.pods:
            cur = ", ".join(f"{ch}: {vid}" for ch, vid in p.current_view.items()) or "-"
            incs = ", ".join((i.name or "?") + (" (stopped)" if i.stopped else "") for i in p.incarnations) or "-"
            span = _span(p.first_time, p.last_time)
            t.add_row(T(p.name), T("yes" if p.live else "no"), T(cur), T(incs), T(span))
        out.print(t)

    # what could not be read
    notes = list(a.stats.get("warnings", []))
    if a.problems:  # each was printed on stderr already: only say how many, not again
        notes.insert(0, f"{len(a.problems)} input problem(s) reported on stderr; the other inputs were analyzed")
    for s in a.sources:
        if s.undecodable_lines:
            notes.append(f"{s.name}: {s.undecodable_lines} line(s) were not valid UTF-8 (read with replacement characters)")
        if s.long_lines:
            notes.append(f"{s.name}: {s.long_lines} line(s) longer than the per-line bound were truncated")
    if notes:
        out.print()
        for n in dict.fromkeys(notes):
            out.print(T("note: " + n, "dim"))
    st = a.stats
    out.print(
        Text(
            f"read {st.get('sources', 0)} source(s), {st.get('lines', 0)} lines, {st.get('events', 0)} membership events",
            style="dim",
        )
    )


def _span(a: object, b: object) -> str:
    from datetime import datetime

    def f(x: object) -> str:
        return x.strftime("%m-%d %H:%M:%S") if isinstance(x, datetime) else "?"

    if a is None and b is None:
        return "-"
    return f"{f(a)} → {f(b)}"


def _finding(out: Console, f: Finding, max_evidence: int) -> None:
    out.print()
    head = Text()
    head.append(f"{f.severity.value.upper():7}", style=SEV_STYLE[f.severity])
    head.append(" ")
    head.append(clean_line(f.id), style="dim")
    head.append("  ")
    head.append(clean_line(f.summary))
    out.print(head)
    for e in f.evidence[:max_evidence]:
        loc = f"{e.source}:{e.line}" if e.line else e.source
        out.print(Text("    ") + T(loc, "dim") + Text("  ") + T(clean(e.text, 300)))
    if len(f.evidence) > max_evidence:
        out.print(Text(f"    … {len(f.evidence) - max_evidence} more evidence line(s) (--json)", style="dim"))
    if f.remediation:
        out.print(Text("  fix:", style="bold"))
        for ln in clean(f.remediation, 8000).splitlines():
            out.print(Text("    " + ln.replace("\t", "    ")))


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader went away (``jgview … | head``): rich would exit 1, which says "split";
        the CLI's entry ends the run quietly instead (exit 0)."""
        import os
        import sys

        self.quiet = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        raise BrokenPipeError


def make_console(file: object = None, *, force_terminal: bool | None = None, no_color: bool = False) -> Console:
    import os
    import sys

    stream = file or sys.stdout
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    width = None if is_tty else 120
    return _Console(
        file=stream,  # type: ignore[arg-type]
        force_terminal=force_terminal,
        no_color=no_color or bool(os.environ.get("NO_COLOR")),
        width=width,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=not is_tty,
    )
