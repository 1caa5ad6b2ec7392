"""``jgview collect -l SELECTOR [-n NS | -A]``: fetch logs and objects with kubectl, keep a bundle,
print the analysis (the same output ``jgview BUNDLE`` prints).

``jgview collect -f -l SELECTOR``: follow every matching pod's log instead, like stern, with the
live analysis of ``jgview --follow`` (:mod:`jgview.collect.follow`, :mod:`jgview.follow`)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(add_completion=False)

EPILOG = (
    "Exit codes: 0 one cluster, 1 split or an error finding, 2 usage/kubectl/forbidden, "
    "3 no pod matches the selector (with -f: no membership evidence when it ends)."
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
        None,
        "--output",
        "-o",
        metavar="DIR",
        help="Bundle directory (default: ./jgview-bundle-<UTC time>; with -f: no bundle).",
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
        5,
        "--max-log-requests",
        min=1,
        max=100,
        metavar="N",
        help="Concurrent kubectl requests (with -f: concurrent log follows).",
    ),
    no_previous: bool = typer.Option(
        False, "--no-previous", help="Skip logs of containers before their restart."
    ),
    expect: int | None = typer.Option(
        None,
        "--expect",
        min=1,
        metavar="N",
        help="N pods should form one cluster (default: the owner's replicas; with -f: none).",
    ),
    json_: bool = typer.Option(
        False, "--json", help="Print one JSON document instead of the report (with -f: JSON lines)."
    ),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar on stderr."),
    follow: bool = typer.Option(
        False,
        "--follow",
        "-f",
        help="Follow every matching pod's log (new pods and restarted containers too) and show the "
        "live state until Ctrl-C; no bundle unless -o DIR is given.",
    ),
    exit_on_split: bool = typer.Option(
        False, "--exit-on-split", help="With -f: exit 1 at the first split (implies -f)."
    ),
    poll_interval: float | None = typer.Option(
        None,
        "--poll-interval",
        min=0.1,
        max=3600,
        metavar="SECONDS",
        help="With -f: seconds between listings of the pods (default 5).",
    ),
) -> None:
    """Fetch every matching pod's full logs and the cluster objects that explain them through
    kubectl, keep them as a bundle for the postmortem, and print the analysis. With -f, follow
    the logs instead and raise the alarm the moment the pods split."""
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
    follow = follow or exit_on_split
    if poll_interval is not None and not follow:
        raise _fail("--poll-interval needs -f/--follow", 2)
    try:
        validate_since(since, since_time)
    except CollectError as exc:
        raise _fail(exc.message, 2) from None
    try:
        binary = find_kubectl(kubectl)
    except KubectlNotFound as exc:
        raise _fail(f"kubectl not found: {exc}", 2) from None
    if follow:
        raise _exit(
            _follow(
                Kubectl(binary, kubeconfig=kubeconfig, context=context),
                selector=selector,
                namespace=namespace,
                all_namespaces=all_namespaces,
                output=output,
                since=since,
                since_time=since_time,
                max_log_requests=max_log_requests,
                expect=expect,
                json_=json_,
                exit_on_split=exit_on_split,
                poll_interval=poll_interval,
            )
        )
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


def _follow(
    kube: Any,
    *,
    selector: str,
    namespace: str | None,
    all_namespaces: bool,
    output: Path | None,
    since: str | None,
    since_time: str | None,
    max_log_requests: int,
    expect: int | None,
    json_: bool,
    exit_on_split: bool,
    poll_interval: float | None,
) -> int:
    """``collect -f``: the first listing here (its errors are usage errors, exit 2), then the live
    analysis of :func:`jgview.follow.run` fed by a :class:`~jgview.collect.follow.PodWatcher`."""
    import signal

    from jgview import follow as live
    from jgview.collect import CollectError, KubectlError, check_output_dir
    from jgview.collect.follow import DEFAULT_POLL_INTERVAL, FollowOptions, PodWatcher
    from jgview.pipeline import AnalyzeOptions

    if output is not None:
        try:
            check_output_dir(output)
        except CollectError as exc:
            raise _fail(exc.message, exc.exit_code) from None
    ctx = kube.current_context()
    default_ns = namespace or ctx.get("namespace") or "default"
    try:
        pods = kube.get_items("pods", namespace=namespace, all_namespaces=all_namespaces, selector=selector)
    except KubectlError as exc:
        if exc.kind == "not-found" and (exc.resource or "").startswith("namespace"):
            raise _fail(f'namespace "{default_ns}" does not exist ({exc.message})', 2) from None
        raise _fail(exc.message, 2) from None
    where = "in all namespaces" if all_namespaces else f'in namespace "{default_ns}"'
    if not pods:
        if not all_namespaces:
            try:
                kube.get("namespaces", name=default_ns)
            except KubectlError as exc:
                if exc.kind == "not-found":
                    raise _fail(
                        f'namespace "{default_ns}" does not exist; check -n/--namespace or the context\'s namespace',
                        2,
                    ) from None
        _err(
            f'jgview collect: no pod matches the selector "{selector}" {where} yet; waiting for one (Ctrl-C to stop)'
        )
    if output is not None:
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _fail(f"cannot write the bundle {output}: {exc.strerror or exc}", 2) from None

    opts = FollowOptions(
        selector=selector,
        namespace=namespace,
        all_namespaces=all_namespaces,
        poll_interval=poll_interval if poll_interval is not None else DEFAULT_POLL_INTERVAL,
        max_log_requests=max_log_requests,
        since=since,
        since_time=since_time,
        bundle=output,
    )
    watcher = PodWatcher(kube, opts, warn=_err)

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # SIGTERM ends the run like Ctrl-C: the summary, then the exit code

    previous_handler: Any = None
    try:
        previous_handler = signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread
        previous_handler = None
    try:
        code = live.run(
            [],
            AnalyzeOptions(expect=expect),
            json_out=json_,
            exit_on_split=exit_on_split,
            err=_err,
            setup=lambda f: watcher.attach(f, pods),
        )
    finally:
        watcher.shutdown()
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    if output is not None:
        try:
            manifest = watcher.write_bundle(kube, default_namespace=default_ns, context=ctx)
        except (OSError, KubectlError) as exc:
            _err(f"jgview collect: cannot write the bundle {output}: {getattr(exc, 'strerror', None) or exc}")
            return code if code == 1 else 2
        except KeyboardInterrupt:
            _err(f"jgview collect: interrupted; the bundle {output} has the logs but no manifest")
            return code if code == 1 else 2
        _err(
            f"jgview collect: {len(manifest['logs'])} followed log(s) of {len(manifest['pods'])} pod(s) "
            f"kept in {output}; analyze it again with: jgview {output}"
        )
    return code
