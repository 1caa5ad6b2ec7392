"""One file per command; each defines a typer ``app`` with one command (mounted by jgview.cli)."""
