"""``jgview report [PATH...] -o FILE``: a postmortem report in HTML or Markdown.

The report format comes from ``--format`` or else from the output file's extension (``.html``,
``.htm``, ``.md``, ``.markdown``); ``-o -`` writes to stdout (Markdown unless ``--format html``).
Nothing is written anywhere but the named output, and never over one of the inputs. The exit
code is the analysis' (0/1/2/3) after writing; a write error is one line on stderr and exit 2.
"""

from __future__ import annotations

import enum
import os
import sys
from typing import Optional

import typer

from jgview.commands.common import PATHS_HELP, analyze_options, stderr_line

app = typer.Typer(add_completion=False)


class ReportFormat(str, enum.Enum):
    html = "html"
    md = "md"


EXTENSIONS = {".html": ReportFormat.html, ".htm": ReportFormat.html, ".md": ReportFormat.md, ".markdown": ReportFormat.md}


def format_for(output: str, explicit: ReportFormat | None) -> ReportFormat:
    """The report format: ``--format`` wins, else the extension, else Markdown for stdout."""
    if explicit is not None:
        return explicit
    if output == "-":
        return ReportFormat.md
    ext = os.path.splitext(output)[1].lower()
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    raise typer.BadParameter(
        f"cannot tell the report format from {output!r}: name the file *.html or *.md, or give --format html|md",
        param_hint="--output",
    )


def render(fmt: ReportFormat, analysis, *, title: str | None, redacted: bool) -> str:  # type: ignore[no-untyped-def]
    """The report text of one format (every :class:`ReportFormat` is handled)."""
    if fmt is ReportFormat.html:
        from jgview.render.html import render as render_html

        return render_html(analysis, title=title, redacted=redacted)
    if fmt is ReportFormat.md:
        from jgview.render.markdown import render as render_md

        return render_md(analysis, title=title, redacted=redacted)
    raise AssertionError(f"unhandled report format {fmt!r}")  # pragma: no cover


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def input_clash(output: str, paths: list[str]) -> str | None:
    """The input that ``output`` would overwrite, if any (a file given, or a file inside a
    directory given)."""
    if output == "-" or not os.path.exists(output):
        return None
    out_real = os.path.realpath(output)
    for p in paths:
        if p == "-" or not os.path.exists(p):
            continue
        if os.path.isdir(p):
            root = os.path.realpath(p)
            if os.path.commonpath([root, out_real]) == root:
                return p
        elif _same_file(p, output):
            return p
    return None


@app.command(context_settings={"help_option_names": ["-h", "--help"]})
def report(
    paths: Optional[list[str]] = typer.Argument(None, metavar="[PATH]...", help=PATHS_HELP, show_default=False),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                         help="Where to write the report (*.html or *.md; '-' for stdout)."),
    format_: Optional[ReportFormat] = typer.Option(None, "--format", case_sensitive=False,
                                                   help="html or md (default: from the output file's extension)."),
    redact: bool = typer.Option(False, "--redact", help="Replace IP addresses, tokens, user names and e-mail addresses "
                                "by placeholders, for sharing outside the team."),
    title: Optional[str] = typer.Option(None, "--title", metavar="TEXT", help="Title of the report."),
    expect: Optional[int] = typer.Option(None, "--expect", metavar="N", help="N pods should form one cluster."),
    since: Optional[str] = typer.Option(None, "--since", metavar="TIME", help="Analyze from TIME (ISO 8601 or a duration like 2h)."),
    until: Optional[str] = typer.Option(None, "--until", metavar="TIME", help="Analyze up to TIME."),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Date of time-only logs (WildFly console)."),
    pod: Optional[str] = typer.Option(None, "--pod", metavar="NAME", help="Pod name for stdin (or a single file)."),
    tz: Optional[str] = typer.Option(None, "--tz", metavar="ZONE", help="Zone of timestamps without offset (default UTC)."),
) -> None:
    """Write a postmortem report (HTML or Markdown) of the cluster's membership."""
    if not output:
        raise typer.BadParameter("name the report file with -o FILE (*.html or *.md), or -o - for stdout", param_hint="--output")
    fmt = format_for(output, format_)
    inputs = list(paths or [])
    clash = input_clash(output, inputs)
    if clash is not None:
        stderr_line(f"jgview: refusing to write the report over an input: {output!r} is (inside) input {clash!r}; choose another -o FILE")
        raise typer.Exit(2)
    opts = analyze_options(expect=expect, since=since, until=until, date_=date, pod=pod, tz=tz)

    from jgview.pipeline import analyze

    result = analyze(inputs, opts, on_error=stderr_line)
    shown = result
    if redact:
        from jgview.redact import redact as redact_analysis

        shown = redact_analysis(result)
    text = render(fmt, shown, title=title, redacted=redact)
    if output == "-":
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # handled quietly by jgview.cli.main
        except OSError as exc:
            stderr_line(f"jgview: cannot write the report to stdout: {exc.strerror or exc}")
            raise typer.Exit(2) from None
    else:
        try:
            with open(output, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OSError as exc:
            stderr_line(f"jgview: cannot write the report to {output!r}: {exc.strerror or exc}")
            raise typer.Exit(2) from None
        stderr_line(f"jgview: wrote {fmt.value.upper() if fmt is ReportFormat.html else 'Markdown'} report {output} "
                    f"({result.verdict.value}{', redacted' if redact else ''})")
    raise typer.Exit(result.exit_code)
