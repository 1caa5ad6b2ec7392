"""``jgview collect``: fetch a cluster's evidence through the real kubectl and keep a bundle.

:mod:`.kube` drives kubectl/oc, :mod:`.gather` orchestrates the fetches and writes the bundle,
:mod:`.redact` removes secret-looking values first. The bundle layout and its readers are in
:mod:`jgview.bundle`; the checks of the collected objects in :mod:`jgview.objects`.
"""

from jgview.collect.gather import (
    CollectError,
    CollectOptions,
    CollectResult,
    NoPodsError,
    check_output_dir,
    collect,
    validate_since,
)
from jgview.collect.kube import Kubectl, KubectlError, KubectlNotFound, find_kubectl

__all__ = [
    "CollectError",
    "CollectOptions",
    "CollectResult",
    "Kubectl",
    "KubectlError",
    "KubectlNotFound",
    "NoPodsError",
    "check_output_dir",
    "collect",
    "find_kubectl",
    "validate_since",
]
