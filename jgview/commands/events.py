"""``jgview events [PATH...]``: the extracted membership events as JSON lines, for jq."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from jgview.commands.common import PATHS_HELP, analyze_options, stderr_line

app = typer.Typer(add_completion=False)


@app.command(context_settings={"help_option_names": ["-h", "--help"]})
def events(
    paths: Optional[list[str]] = typer.Argument(None, metavar="[PATH]...", help=PATHS_HELP, show_default=False),
    since: Optional[str] = typer.Option(None, "--since", metavar="TIME", help="Only events from TIME."),
    until: Optional[str] = typer.Option(None, "--until", metavar="TIME", help="Only events up to TIME."),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Date of time-only logs."),
    pod: Optional[str] = typer.Option(None, "--pod", metavar="NAME", help="Pod name for stdin."),
    tz: Optional[str] = typer.Option(None, "--tz", metavar="ZONE", help="Zone of timestamps without offset."),
    kind: Optional[list[str]] = typer.Option(None, "--kind", metavar="KIND", help="Only these kinds (repeatable), e.g. view, merged_view."),
) -> None:
    """Stream membership events as JSON lines (one object per event)."""
    from jgview.models import Kind
    from jgview.pipeline import iter_events
    from jgview.render.jsonout import dumps, event

    opts = analyze_options(expect=None, since=since, until=until, date_=date, pod=pod, tz=tz)
    kinds = None
    if kind:
        valid = {k.value for k in Kind}
        bad = [k for k in kind if k not in valid]
        if bad:
            raise typer.BadParameter(f"unknown kind {bad[0]!r}; one of: {', '.join(sorted(valid))}", param_hint="--kind")
        kinds = set(kind)
    problems: list[str] = []

    def err(msg: str) -> None:
        problems.append(msg)
        stderr_line(msg)

    n = 0
    out = sys.stdout
    for ev in iter_events(list(paths or []), opts, err, on_warning=stderr_line):
        if kinds and ev.kind.value not in kinds:
            continue
        if opts.since is not None and ev.time is not None and ev.time < opts.since:
            continue
        out.write(dumps(event(ev), indent=None) + "\n")
        n += 1
    out.flush()
    raise typer.Exit(2 if problems else (0 if n else 3))
