"""Entry point: a click group whose default command is the analysis.

``jgview [PATH...]`` analyzes (stdin when there is no path or the path is ``-``); the
subcommands are ``events``, ``collect``, ``report`` and ``timeline``. A file whose name equals a
subcommand is given as ``./report`` or after ``--``. typer alone cannot mix a default command
with subcommands, so a small click ``Group`` falls back to the default command; each command is
a typer app in ``jgview/commands/`` and is imported only when it runs (startup time).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer
import typer.core
import typer.main

COMMANDS = {
    "analyze": ("jgview.commands.analyze", "Analyze logs and give the verdict (the default command)."),
    "events": ("jgview.commands.events", "Stream the extracted membership events as JSON lines."),
    "collect": ("jgview.commands.collect", "Fetch a cluster's logs and objects with kubectl, keep a bundle, analyze."),
    "report": ("jgview.commands.report", "Write a postmortem report (HTML or Markdown)."),
    "timeline": ("jgview.commands.timeline", "Show membership changes of all pods side by side in time."),
}
DEFAULT = "analyze"


def _load(name: str) -> Any:
    mod_name = COMMANDS[name][0]
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError as exc:
        if exc.name == mod_name:
            return None
        raise
    cmd = typer.main.get_command(mod.app)
    cmd.name = name
    return cmd


class DefaultGroup(typer.core.TyperGroup):
    """A group that runs ``analyze`` when the first argument is not a subcommand."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [n for n in COMMANDS if n != DEFAULT] + [DEFAULT]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        return _load(cmd_name)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args[:1] == ["--version"]:
            from jgview import __version__

            typer.echo(f"jgview {__version__}")
            ctx.exit(0)
        if not args or args[0] not in COMMANDS:
            if args[:1] in (["--help"], ["-h"]) and len(args) == 1:
                return super().parse_args(ctx, args)
            args = [DEFAULT, *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        default = self.get_command(ctx, DEFAULT)
        formatter.write_usage("jgview", "[OPTIONS] [PATH]...  |  jgview COMMAND [ARGS]...")
        formatter.write_paragraph()
        formatter.write_text(
            "Read JGroups/Infinispan/Keycloak/WildFly logs (files, directories, .gz, collect bundles, "
            "or stdin) and say whether the pods form one cluster, why not, and how to fix it."
        )
        if default is not None:
            dctx = default.make_context("jgview", [], resilient_parsing=True)
            rows = [r for r in (p.get_help_record(dctx) for p in default.get_params(dctx)) if r]
            rows.append(("--version", "Show the version and exit."))
            with formatter.section("Options (default command)"):
                formatter.write_dl(rows)
        with formatter.section("Commands"):
            formatter.write_dl([(n, COMMANDS[n][1]) for n in self.list_commands(ctx)])
        with formatter.section("Exit codes"):
            formatter.write_dl(
                [
                    ("0", "one cluster (healthy, healed, alone) and no error finding"),
                    ("1", "split, or a finding of severity error"),
                    ("2", "usage or input error (missing file, unreadable input, bad option)"),
                    ("3", "no membership evidence at all"),
                ]
            )


cli = DefaultGroup(name="jgview", context_settings={"help_option_names": ["-h", "--help"]}, rich_markup_mode=None)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: no traceback ever reaches a user."""
    try:
        cli.main(args=argv, prog_name="jgview", standalone_mode=True)
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        finally:
            os._exit(0)
    except KeyboardInterrupt:
        sys.stderr.write("jgview: interrupted\n")
        raise SystemExit(130) from None
    except SystemExit as exc:
        if exc.code == 130 and _interrupted(exc):
            # typer turns Ctrl-C into a silent exit 130: say why the run ended
            sys.stderr.write("jgview: interrupted\n")
        if exc.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            # typer met the broken pipe first (`jgview … | head`) and exits 1, which says "split":
            # the reader went away, as above
            os._exit(0)
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("JGVIEW_DEBUG"):
            raise
        msg = str(exc).splitlines()[0][:300] if str(exc) else ""
        sys.stderr.write(f"jgview: internal error: {type(exc).__name__}: {msg} (set JGVIEW_DEBUG=1 for details)\n")
        raise SystemExit(2) from None


def _interrupted(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt led to ``exc`` (through its causes and contexts)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, KeyboardInterrupt):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False
