"""``jgview timeline [PATH...]``: membership events of all pods merged in time order.

One column per pod (who saw which view when), coloured by cluster; above eight pods (or with
``--compact``) one line per event: time, pod(s), view, members. ``--since``/``--until`` limit
the window shown (for logs without dates they are compared as times of day).
"""

from __future__ import annotations

from typing import Optional

import typer

from jgview.commands.common import PATHS_HELP, analyze_options, stderr_line

app = typer.Typer(add_completion=False)


@app.command(context_settings={"help_option_names": ["-h", "--help"]})
def timeline(
    paths: Optional[list[str]] = typer.Argument(None, metavar="[PATH]...", help=PATHS_HELP, show_default=False),
    since: Optional[str] = typer.Option(None, "--since", metavar="TIME", help="Show from TIME (ISO 8601 or a duration like 2h)."),
    until: Optional[str] = typer.Option(None, "--until", metavar="TIME", help="Show up to TIME."),
    width: Optional[int] = typer.Option(None, "--width", metavar="N", help="Line width (default: the terminal's, 120 when piped)."),
    compact: Optional[bool] = typer.Option(None, "--compact/--columns", help="One line per event / one column per pod "
                                           "(default: columns up to 8 pods)."),
    members: bool = typer.Option(True, "--members/--no-members", help="Show the members of each view."),
    channel: Optional[str] = typer.Option(None, "--channel", metavar="NAME", help="Only this channel (cluster name)."),
    expect: Optional[int] = typer.Option(None, "--expect", metavar="N", help="N pods should form one cluster."),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Date of time-only logs (WildFly console)."),
    pod: Optional[str] = typer.Option(None, "--pod", metavar="NAME", help="Pod name for stdin (or a single file)."),
    tz: Optional[str] = typer.Option(None, "--tz", metavar="ZONE", help="Zone of timestamps without offset (default UTC)."),
) -> None:
    """Show membership changes of all pods side by side in time."""
    if width is not None and width < 40:
        raise typer.BadParameter("must be at least 40", param_hint="--width")
    # --since/--until limit what is shown; the analysis reads the whole evidence so that the
    # clusters at the window's start are known (until still bounds what is read).
    opts = analyze_options(expect=expect, since=None, until=until, date_=date, pod=pod, tz=tz)
    window = analyze_options(expect=None, since=since, until=until, date_=None, pod=None, tz=tz)

    from jgview.pipeline import analyze
    from jgview.render.terminal import make_console
    from jgview.render.timeline import Axis, key_bounds, render

    result = analyze(list(paths or []), opts, on_error=stderr_line)
    console = make_console()
    if width is not None:
        console.width = width
    lo, hi = key_bounds(Axis(result), window.since, window.until)
    render(result, console, since=lo, until=hi, compact=compact, members=members, channel=channel)
    raise typer.Exit(result.exit_code)
