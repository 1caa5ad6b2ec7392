"""``jgview [PATH...]``: the verdict, why, and how to fix it."""

from __future__ import annotations

from typing import Optional

import typer

from jgview.commands.common import PATHS_HELP, analyze_options, stderr_line

app = typer.Typer(add_completion=False)


@app.command(context_settings={"help_option_names": ["-h", "--help"]})
def analyze(
    paths: Optional[list[str]] = typer.Argument(None, metavar="[PATH]...", help=PATHS_HELP, show_default=False),
    json_: bool = typer.Option(False, "--json", help="Print one JSON document (schema in docs/json.md)."),
    expect: Optional[int] = typer.Option(None, "--expect", metavar="N", help="N pods should form one cluster (e.g. the replica count)."),
    since: Optional[str] = typer.Option(None, "--since", metavar="TIME", help="Analyze from TIME (ISO 8601, or a duration like 2h before now)."),
    until: Optional[str] = typer.Option(None, "--until", metavar="TIME", help="Analyze up to TIME: the state at the incident's time."),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Date of time-only logs (WildFly console)."),
    pod: Optional[str] = typer.Option(None, "--pod", metavar="NAME", help="Pod name for stdin (or a single file)."),
    tz: Optional[str] = typer.Option(None, "--tz", metavar="ZONE", help="Zone of timestamps without offset (default UTC)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also show informational findings."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Follow stdin or files as they grow and show the live state."),
    exit_on_split: bool = typer.Option(False, "--exit-on-split", help="With --follow: exit 1 at the first split."),
) -> None:
    """Analyze logs and say whether the pods form one cluster."""
    opts = analyze_options(expect=expect, since=since, until=until, date_=date, pod=pod, tz=tz)
    if (not paths or paths == ["-"]) and _stdin_is_terminal():
        stderr_line("jgview: reading logs from stdin (paste or pipe them; Ctrl-D to end) — or give files: jgview pod-*.log")
    if follow or exit_on_split:
        try:
            from jgview import follow as follow_mod
        except ImportError:
            stderr_line("jgview: --follow is not available in this build")
            raise typer.Exit(2) from None
        raise typer.Exit(follow_mod.run(list(paths or []), opts, json_out=json_, exit_on_split=exit_on_split))
    from jgview.pipeline import analyze as run

    opts.prepare = _import_json_renderer if json_ else _import_terminal_renderer
    result = run(list(paths or []), opts, on_error=stderr_line)
    if json_:
        from jgview.render.jsonout import render

        typer.echo(render(result))
    else:
        from jgview.render.terminal import make_console, render as render_term

        render_term(result, make_console(), verbose=verbose)
    raise typer.Exit(result.exit_code)


def _import_json_renderer() -> None:
    import jgview.render.jsonout  # noqa: F401


def _import_terminal_renderer() -> None:
    import jgview.render.terminal  # noqa: F401


def _stdin_is_terminal() -> bool:
    import sys

    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
