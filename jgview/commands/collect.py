"""``jgview collect -l SELECTOR [-n NS | -A]``: fetch logs and objects with kubectl, keep a bundle,
print the analysis (the same output ``jgview BUNDLE`` prints)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import typer

app = typer.Typer(add_completion=False)

EPILOG = (
    "Exit codes: 0 one cluster, 1 split or an error finding, 2 usage/kubectl/forbidden, "
    "3 no pod matches the selector."
)


def _err(msg: str) -> None:
    from jgview.commands.common import stderr_line

    stderr_line(msg)


def _exit(code: int) -> SystemExit:
    """SystemExit, which typer's and click's main loops (and jgview.cli) all let through with its
    code: typer.Exit is not a click exception and click's Exit is not typer's."""
    return SystemExit(code)


def _fail(msg: str, code: int) -> SystemExit:
    _err(f"jgview collect: {msg}")
    return _exit(code)


@app.command(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
def collect(
    selector: str = typer.Option(
        ...,
        "--selector",
        "-l",
        metavar="SELECTOR",
        help="Label selector of the cluster's pods, e.g. app=keycloak.",
    ),
    namespace: str | None = typer.Option(
        None, "--namespace", "-n", metavar="NS", help="Namespace (default: the context's namespace)."
    ),
    all_namespaces: bool = typer.Option(False, "--all-namespaces", "-A", help="Look in all namespaces."),
    context: str | None = typer.Option(None, "--context", metavar="CTX", help="kubeconfig context to use."),
    kubeconfig: str | None = typer.Option(
        None, "--kubeconfig", metavar="FILE", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)."
    ),
    kubectl: str | None = typer.Option(
        None,
        "--kubectl",
        metavar="PATH_OR_NAME",
        help="kubectl-compatible binary (default: kubectl, else oc).",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="DIR", help="Bundle directory (default: ./jgview-bundle-<UTC time>)."
    ),
    since: str | None = typer.Option(
        None,
        "--since",
        metavar="DURATION",
        help="Only logs newer than a duration, e.g. 2h (kubectl logs --since).",
    ),
    since_time: str | None = typer.Option(
        None,
        "--since-time",
        metavar="TIME",
        help="Only logs after an RFC3339 time (kubectl logs --since-time).",
    ),
    max_log_requests: int = typer.Option(
        5, "--max-log-requests", min=1, max=100, metavar="N", help="Concurrent kubectl requests."
    ),
    no_previous: bool = typer.Option(
        False, "--no-previous", help="Skip logs of containers before their restart."
    ),
    expect: int | None = typer.Option(
        None,
        "--expect",
        min=1,
        metavar="N",
        help="N pods should form one cluster (default: the owner's replicas).",
    ),
    json_: bool = typer.Option(False, "--json", help="Print one JSON document instead of the report."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar on stderr."),
) -> None:
    """Fetch every matching pod's full logs and the cluster objects that explain them through
    kubectl, keep them as a bundle for the postmortem, and print the analysis."""
    from rich.console import Console

    from jgview.collect import (
        CollectError,
        CollectOptions,
        Kubectl,
        KubectlNotFound,
        check_output_dir,
        find_kubectl,
        validate_since,
    )
    from jgview.collect import collect as run_collect

    if namespace and all_namespaces:
        raise _fail("-n/--namespace and -A/--all-namespaces cannot be used together", 2)
    try:
        validate_since(since, since_time)
    except CollectError as exc:
        raise _fail(exc.message, 2) from None
    try:
        binary = find_kubectl(kubectl)
    except KubectlNotFound as exc:
        raise _fail(f"kubectl not found: {exc}", 2) from None
    out = output or Path(f"jgview-bundle-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}")
    try:
        check_output_dir(out)
    except CollectError as exc:
        raise _fail(exc.message, exc.exit_code) from None

    kube = Kubectl(binary, kubeconfig=kubeconfig, context=context)
    opts = CollectOptions(
        selector=selector,
        namespace=namespace,
        all_namespaces=all_namespaces,
        since=since,
        since_time=since_time,
        max_log_requests=max_log_requests,
        previous=not no_previous,
    )
    err_console = Console(stderr=True)
    try:
        result = run_collect(kube, out, opts, console=err_console, progress=not no_progress)
    except KubectlNotFound as exc:
        raise _fail(f"kubectl not found: {exc}", 2) from None
    except CollectError as exc:
        raise _fail(exc.message, exc.exit_code) from None
    except OSError as exc:
        raise _fail(f"cannot write the bundle {out}: {exc.strerror or exc}", 2) from None

    manifest = result.manifest
    logs = manifest["logs"]
    _err(
        f"jgview collect: {len(manifest['pods'])} pod(s), {sum(1 for x in logs if x.get('ok'))} log(s) "
        f"written to {out}"
    )
    for failure in manifest["failures"][:20]:
        _err(f"jgview collect: could not fetch {failure['what']}: {failure['reason']}")
    if len(manifest["failures"]) > 20:
        _err(
            f"jgview collect: … and {len(manifest['failures']) - 20} more failures (see {out}/manifest.json)"
        )

    from jgview.pipeline import AnalyzeOptions, analyze

    analysis = analyze(
        [str(out)],
        AnalyzeOptions(expect=expect if expect is not None else manifest.get("expect")),
        on_error=_err,
    )
    if json_:
        from jgview.render.jsonout import render

        typer.echo(render(analysis))
    else:
        from jgview.render.terminal import make_console
        from jgview.render.terminal import render as render_term

        render_term(analysis, make_console())
    _err(f"jgview collect: bundle kept in {out}; analyze it again with: jgview {out}")
    raise _exit(analysis.exit_code)
