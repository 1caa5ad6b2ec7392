"""Docs kept true to --help: every option of every command is described in docs/cli.md, and the
README's Quick start commands and test command are the ones CI runs."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT

from jgview.cli import COMMANDS, _load

CLI_MD = (ROOT / "docs" / "cli.md").read_text()
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_option_is_documented(name):
    cmd = _load(name)
    assert cmd is not None
    section = CLI_MD.split(f"## `jgview {name}" if name != "analyze" else "## `jgview [PATH]...` (analyze)", 1)
    assert len(section) == 2, f"docs/cli.md has no section for {name}"
    body = section[1].split("\n## ", 1)[0]
    for p in cmd.params:
        if p.param_type_name != "option" or p.name == "help":
            continue
        longest = max(p.opts + p.secondary_opts, key=len)
        assert longest in body, f"{name}: {longest} is not described in docs/cli.md"


def test_help_lists_every_command_and_cli_md_too():
    for name in COMMANDS:
        if name != "analyze":
            assert f"jgview {name}" in CLI_MD


def test_readme_quick_start_and_ci_run_the_same_test_command():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    cmds = re.findall(r"^python3 -m venv .*$", quick, re.M)
    assert len(cmds) == 2
    assert cmds[0].endswith("jgview sample_logs/seed-split/")
    assert "pytest" in cmds[1] and ".[test]" in cmds[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install -q -e '.[test]'" in ci and "pytest" in ci
    assert (ROOT / "sample_logs" / "seed-split").is_dir()
