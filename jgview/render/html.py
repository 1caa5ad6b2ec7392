"""The postmortem report as one self-contained HTML file (``jgview report -o incident.html``).

Inline CSS and SVG only: no script, no font, no image, nothing fetched (a Content-Security-Policy
meta tag says so to the browser too). Light and dark by ``prefers-color-scheme``, light on paper.

Sections: the verdict in one sentence; the findings with evidence and fix; per channel an SVG
timeline (one lane per pod, incarnations on the same lane, lane segments coloured by the cluster
label the pod sat in, split intervals shaded, markers for merges, coordinator changes,
suspicions, restarts and stops, hatched where there is no evidence, a labelled time axis); the
clusters over time; each pod's view history; the evidence lines; the inputs.

Scale: what would overlap is aggregated — consecutive segments of one cluster form one bar,
bars narrower than a pixel become one hatched "mixed" bar, markers are merged per pixel, and the
long tables are cut with a note — so 60 pods with 10,000 view changes stay a few MB.

Every piece of log text goes through :func:`jgview.render.safe.clean` and :func:`html.escape`.
"""

from __future__ import annotations

import html as _html
import math
from dataclasses import dataclass, field

from jgview import __version__
from jgview.models import Analysis, ChannelAnalysis, Evidence, Finding
from jgview.render.safe import clean, clean_line
from jgview.render.timeline import (
    DAY,
    Axis,
    Row,
    channel_pods,
    channel_rows,
    channel_title,
    coordinator_of,
    natural_key,
    partitions,
    segments_by_pod,
)

N_COLOURS = 10
MAX_PART_ROWS = 150
MAX_POD_ROWS = 80
MAX_EVIDENCE = 400
MAX_MEMBERS = 30

# Okabe–Ito based, colour-blind safe; the dark variants are lighter.
_LIGHT = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D1F", "#6A3D9A", "#B15928", "#666666"]
_DARK = ["#4DA3E0", "#F0B43C", "#2FC497", "#FF7F3F", "#E59AC4", "#8FD0F5", "#D4B24C", "#B39DDB", "#E0915C", "#AAAAAA"]


def e(text: object, limit: int | None = 2000) -> str:
    """Log text made inert: control characters escaped, length bounded, HTML-escaped."""
    return _html.escape(clean(text, limit), quote=True)


def e1(text: object, limit: int | None = 2000) -> str:
    """Like :func:`e`, on one line."""
    return _html.escape(clean_line(text, limit), quote=True)


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _css() -> str:
    light = "".join(f"--c{i}:{c};" for i, c in enumerate(_LIGHT))
    dark = "".join(f"--c{i}:{c};" for i, c in enumerate(_DARK))
    base_light = (
        "--bg:#ffffff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--panel:#f6f8fa;--lane:#f3f5f7;"
        "--gap:#c4cad1;--split:rgba(207,34,46,.13);--splitline:#cf222e;--merge:#8250df;--err:#cf222e;"
        "--warn:#9a6700;--info:#0969da;--ok:#1a7f37;--mark:#1b1f24;--code:#eff1f3;--badge:#ffffff;"
    )
    base_dark = (
        "--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--panel:#161b22;--lane:#151a21;"
        "--gap:#3d444d;--split:rgba(248,81,73,.18);--splitline:#f85149;--merge:#bc8cff;--err:#f85149;"
        "--warn:#d29922;--info:#58a6ff;--ok:#3fb950;--mark:#e6edf3;--code:#1f2630;--badge:#0d1117;"
    )
    classes = "".join(f".c{i}{{fill:var(--c{i})}}.bg{i}{{background:var(--c{i})}}" for i in range(N_COLOURS))
    return f"""
:root{{color-scheme:light dark;{base_light}{light}}}
@media (prefers-color-scheme:dark){{:root{{{base_dark}{dark}}}}}
@media print{{:root{{color-scheme:light;{base_light}{light}}}
 body{{font-size:10pt;max-width:none;padding:0}} .finding,.legend,figure,tr{{break-inside:avoid}}
 h2{{break-after:avoid}} details>summary{{list-style:none}} a{{color:inherit;text-decoration:none}}}}
*{{box-sizing:border-box}}
body{{margin:0 auto;padding:1.5rem 2rem 3rem;max-width:1400px;background:var(--bg);color:var(--fg);
 font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}}
h1{{font-size:1.5rem;margin:.2rem 0 .4rem}} h2{{font-size:1.2rem;margin:2rem 0 .6rem;padding-bottom:.25rem;
 border-bottom:1px solid var(--line)}} h3{{font-size:1.05rem;margin:1rem 0 .4rem}} h4{{font-size:.95rem;margin:.8rem 0 .3rem}}
code,pre,.mono{{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.86em}}
code{{background:var(--code);padding:.05em .3em;border-radius:3px;overflow-wrap:anywhere}}
pre{{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;
 white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0}}
.meta{{color:var(--muted)}} .note{{color:var(--muted);font-size:.9em}}
.verdict{{display:flex;gap:1rem;align-items:center;padding:1rem 1.2rem;border-radius:8px;
 border:1px solid var(--line);background:var(--panel);margin:1rem 0}}
.badge{{font-weight:700;letter-spacing:.04em;padding:.3rem .7rem;border-radius:6px;color:var(--badge);white-space:nowrap}}
.v-split{{background:var(--err)}} .v-healed{{background:var(--warn)}} .v-healthy{{background:var(--ok)}}
.v-alone{{background:var(--info)}} .v-unknown{{background:var(--muted)}}
.sentence{{font-size:1.1rem}} .badge.small{{font-size:.75rem;padding:.15rem .45rem;vertical-align:.1em}}
ul.glance{{list-style:none;padding:0;margin:.4rem 0 1rem}} ul.glance li{{margin:.25rem 0}}
ul.glance a{{color:inherit}}
.finding{{border:1px solid var(--line);border-left:5px solid var(--muted);border-radius:6px;padding:.4rem 1rem .8rem;
 margin:.8rem 0;background:var(--bg)}}
.finding.sev-error{{border-left-color:var(--err)}} .finding.sev-warning{{border-left-color:var(--warn)}}
.finding.sev-info{{border-left-color:var(--info)}}
.sev{{font-weight:700;font-size:.8em;padding:.1rem .4rem;border-radius:4px;color:var(--badge);margin-right:.4rem}}
.sev-error .sev,li.sev-error .sev{{background:var(--err)}} .sev-warning .sev{{background:var(--warn)}} .sev-info .sev{{background:var(--info)}}
figure.channel-timeline{{border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem;margin:.6rem 0 1rem}}
figure.channel-timeline figcaption{{color:var(--fg);margin-bottom:.3rem}}
.zoomcap{{margin:.6rem 0 0;font-size:.9em;font-weight:600}}
.fix{{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel);border:1px solid var(--line);
 border-radius:6px;padding:.6rem .8rem}}
table{{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}}
th,td{{border-bottom:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}}
th{{background:var(--panel);font-weight:600}}
td.num{{text-align:right;font-variant-numeric:tabular-nums}}
td.t,th.t{{white-space:nowrap;font-variant-numeric:tabular-nums}}
.sw{{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.25em;
 border:1px solid var(--line)}}
.legend{{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;margin:.3rem 0 .8rem;font-size:.9em}}
.legend span{{white-space:nowrap}}
figure{{margin:.5rem 0 1rem}} figcaption{{color:var(--muted);font-size:.9em}}
svg.timeline{{width:100%;height:auto;display:block;background:var(--bg)}}
svg text{{fill:var(--fg);font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:12px}}
svg .pod{{font-size:11.5px}} svg .tick{{fill:var(--muted);font-size:11px}} svg .axislabel{{fill:var(--muted);font-size:11px}}
svg .grid{{stroke:var(--line);stroke-width:1}} svg .axis{{stroke:var(--muted);stroke-width:1}}
svg .lanebg{{stroke:none}} svg .gapbg{{fill:var(--lane)}} svg .gapline{{stroke:var(--gap);stroke-width:1.2}}
svg .seg{{stroke:none}} svg .mixline{{stroke:var(--bg);stroke-width:1.6;opacity:.75}}
svg .vtick{{stroke:var(--bg);stroke-width:1;opacity:.8}}
svg .split{{fill:var(--split);stroke:var(--splitline);stroke-width:1;stroke-dasharray:4 3}}
svg .split-outline{{fill:none;stroke:var(--splitline);stroke-width:1.2;stroke-dasharray:4 3;pointer-events:none}}
svg .splitlabel{{fill:var(--splitline);font-weight:700}} svg .mergelabel{{fill:var(--merge);font-weight:700}}
svg .merge{{stroke:var(--merge);stroke-width:2;stroke-dasharray:6 3}}
svg .mk-coord{{fill:var(--mark);stroke:var(--bg);stroke-width:1}}
svg .mk-restart{{stroke:var(--mark);stroke-width:2}} svg .mk-restart-head{{fill:var(--mark)}}
svg .mk-stop{{fill:var(--mark);stroke:var(--bg);stroke-width:1}}
svg .mk-suspect{{fill:var(--err);stroke:var(--bg);stroke-width:1}}
.chips span{{margin-right:.6rem;white-space:nowrap}}
details>summary{{cursor:pointer;font-weight:600;margin:.4rem 0}}
footer{{margin-top:2rem;color:var(--muted);font-size:.85em}}
{classes}
"""


# ---------------------------------------------------------------------------------------------
# page


def render(a: Analysis, *, title: str | None = None, redacted: bool = False) -> str:
    """The whole report as one HTML document (a string)."""
    axis = Axis(a)
    ttl = title or "jgview report"
    parts: list[str] = []
    w = parts.append
    w("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
    w('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">\n')
    w('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    w('<meta name="color-scheme" content="light dark">\n')
    w(f"<title>{e1(ttl, 300)}</title>\n<style>{_css()}</style>\n</head>\n<body>\n")
    w(f"<header>\n<h1>{e1(ttl, 300)}</h1>\n")
    st = a.stats
    meta = (
        f"{st.get('sources', 0)} source(s), {st.get('lines', 0)} lines, {st.get('events', 0)} membership events"
        f"{', ' + str(len(a.pods)) + ' pod(s)' if a.pods else ''}"
    )
    if axis.known:
        meta += f"; evidence from {axis.fmt(axis.t0, date=True)} to {axis.fmt(axis.t1, date=True)}"
        meta += " (UTC)" if not axis.relative else " (times of day as logged; the logs carry no dates)"
    w(f'<p class="meta">{e1(meta, 1000)}</p>\n')
    if redacted:
        w('<p class="note">Redacted for sharing: IP addresses, tokens, user names and e-mail addresses are replaced '
          "by placeholders (the same value always by the same placeholder).</p>\n")
    w("</header>\n")

    # verdict
    w(f'<section id="verdict" class="verdict"><span class="badge v-{a.verdict.value}">{a.verdict.value.upper()}</span>'
      f'<span class="sentence">{e1(_sentence_body(a.sentence), 2000)}</span></section>\n')

    if a.findings:
        w('<ul class="glance">\n')
        for n, f in enumerate(a.findings):
            w(f'<li class="sev-{f.severity.value}"><span class="sev">{f.severity.value.upper()}</span>'
              f'<a href="#finding-{n}">{e1(f.title or f.summary, 400)}</a></li>\n')
        w("</ul>\n")
    rows = {id(c): channel_rows(a, c, axis) for c in a.channels}
    if any(channel_pods(a, c) for c in a.channels):
        w('<section id="timeline">\n<h2>Timeline</h2>\n')
        for ci, c in enumerate(a.channels):
            _channel_figure(a, c, axis, ci, w, rows[id(c)])
        w("</section>\n")
    _findings(a, w)
    for ci, c in enumerate(a.channels):
        _channel(a, c, axis, ci, w)
    _pod_histories(a, axis, w, rows)
    _evidence(a, axis, w)
    _inputs(a, w)
    w(f'<footer>Generated by jgview {e1(__version__)} from the logs listed above. Every name and message in this report '
      "comes from the logs and is shown as text.</footer>\n</body>\n</html>\n")
    return "".join(parts)


def _sentence_body(s: str) -> str:
    head, sep, rest = s.partition(": ")
    return rest if sep and head.isupper() and len(head) <= 8 else s


# ---------------------------------------------------------------------------------------------
# findings


def _findings(a: Analysis, w) -> None:  # type: ignore[no-untyped-def]
    w('<section id="findings">\n<h2>Findings</h2>\n')
    if not a.findings:
        w('<p class="note">No findings.</p>\n')
    for n, f in enumerate(a.findings):
        _finding(f, n, w)
    w("</section>\n")


def _finding(f: Finding, n: int, w) -> None:  # type: ignore[no-untyped-def]
    sev = f.severity.value
    w(f'<article class="finding sev-{sev}" id="finding-{n}">\n')
    w(f'<h3><span class="sev">{sev.upper()}</span><code>{e1(f.id, 200)}</code> {e1(f.title, 400) if f.title else ""}</h3>\n')
    w(f"<p>{e(f.summary, 4000)}</p>\n")
    if f.evidence:
        w("<h4>Evidence</h4>\n<pre>")
        for ev in f.evidence[:20]:
            loc = f"{ev.source}:{ev.line}" if ev.line else ev.source
            w(f'<span class="meta">{e1(loc, 300)}</span>  {e1(ev.text, 600)}\n')
        if len(f.evidence) > 20:
            w(f'<span class="meta">… {len(f.evidence) - 20} more evidence line(s) in the evidence section</span>\n')
        w("</pre>\n")
    if f.remediation:
        w(f'<h4>Fix</h4>\n<div class="fix">{e(f.remediation, 12000)}</div>\n')
    w("</article>\n")


# ---------------------------------------------------------------------------------------------
# per channel: timeline, legend, clusters


def _channel_figure(a: Analysis, c: ChannelAnalysis, axis: Axis, ci: int, w, rows: list[Row]) -> None:  # type: ignore[no-untyped-def]
    name = channel_title(c, a)
    if not channel_pods(a, c):
        return
    w(f'<figure class="channel-timeline" id="timeline-{ci}">\n<figcaption><strong>Channel <code>{e1(name, 300)}</code></strong> '
      f'<span class="badge small v-{c.verdict.value}">{c.verdict.value}</span> — one lane per pod; colour = the cluster '
      "the pod belonged to at the time; hover for details.</figcaption>\n")
    used: set[str] = set()
    w(_svg_timeline(a, c, axis, ci, used, rows))
    w("\n")
    for k, (za, zb, label) in enumerate(_zoom_windows(c, axis), 1):
        w(f'<p class="zoomcap">Zoom on {e1(label, 300)}:</p>\n')
        w(_svg_timeline(a, c, axis, ci, used, rows, window=(za, zb), zoom=k))
        w("\n")
    if c.splits:
        used.add("split")
    if c.merges:
        used.add("merge")
    if c.segments:
        used.add("gap")
    _legend(a, c, w, used)
    w("</figure>\n")


def _channel(a: Analysis, c: ChannelAnalysis, axis: Axis, ci: int, w) -> None:  # type: ignore[no-untyped-def]
    name = channel_title(c, a)
    w(f'<section class="channel" id="channel-{ci}">\n<h2>Channel <code>{e1(name, 300)}</code> '
      f'<span class="badge small v-{c.verdict.value}">{c.verdict.value}</span></h2>\n')
    if c.reason:
        w(f"<p>{e1(c.reason, 1000)}.</p>\n")
    # final clusters
    if c.clusters:
        w("<h3>Clusters at the end of the evidence</h3>\n<table><thead><tr><th>#</th><th>view</th><th>coordinator</th>"
          '<th class="num">size</th><th>members</th><th>pods seeing it</th></tr></thead><tbody>\n')
        labels = _final_labels(c)
        for n, cl in enumerate(c.clusters, 1):
            lab = labels.get(cl.view_id)
            sw = f'<span class="sw bg{lab % N_COLOURS}"></span>' if lab is not None else ""
            w(f"<tr><td>{sw}{n}</td><td><code>{e1(cl.view_id, 300)}</code>{' (implied)' if cl.implied else ''}</td>"
              f"<td>{e1(cl.coordinator, 300)}</td><td class=\"num\">{cl.size}</td><td>{_names(cl.members)}</td>"
              f"<td>{_names(cl.seen_by)}</td></tr>\n")
        w("</tbody></table>\n")
    if c.splits or c.merges:
        w("<h3>Splits and merges</h3>\n<ul>\n")
        for s in c.splits:
            ts, te = axis.of_interval(s, True), axis.of_interval(s, False)
            groups = " | ".join("{" + ", ".join(g) + "}" for g in s.groups)
            until = axis.fmt(te, date=True) if te is not None else "still open at the end of the evidence"
            w(f"<li><strong>split</strong> {e1(axis.fmt(ts, date=True))} → {e1(until)}: {e1(groups, 4000)}</li>\n")
        for m in c.merges:
            te = axis.of_interval(m, False)
            groups = " + ".join("{" + ", ".join(g) + "}" for g in m.groups)
            w(f"<li><strong>merge</strong> {e1(axis.fmt(te, date=True))} into <code>{e1(m.view_id or '?', 300)}</code> "
              f"from {e1(groups, 4000)}</li>\n")
        w("</ul>\n")
    _partitions(a, c, axis, w)
    w("</section>\n")


def _names(names: list[str], limit: int = MAX_MEMBERS) -> str:
    shown = ", ".join(e1(n, 300) for n in names[:limit])
    if len(names) > limit:
        shown += f" … (+{len(names) - limit})"
    return shown


def _final_labels(c: ChannelAnalysis) -> dict[str, int]:
    """view id → cluster label of the open (final) segments."""
    out: dict[str, int] = {}
    for s in c.segments:
        if s.t_end is None and s.end is None:
            out.setdefault(s.view_id, s.cluster)
    for cl in c.clusters:
        if cl.view_id not in out:
            labs = [s.cluster for s in c.segments if s.pod in cl.seen_by and s.t_end is None]
            if labs:
                out[cl.view_id] = labs[0]
    return out


MAX_ZOOMS = 3
ZOOM_BELOW = 0.08
"""A split shorter than this share of the axis gets a zoomed timeline of its own."""


def _zoom_windows(c: ChannelAnalysis, axis: Axis) -> list[tuple[float, float, str]]:
    """Windows around splits too short to see on the whole axis (at most :data:`MAX_ZOOMS`)."""
    if not axis.known:
        return []
    span = axis.t1 - axis.t0
    out: list[tuple[float, float, str]] = []
    for s in c.splits:
        ts = axis.of_interval(s, True)
        te = axis.of_interval(s, False)
        if ts is None:
            continue
        end = te if te is not None else axis.t1
        if span <= 0 or (end - ts) / span >= ZOOM_BELOW:
            continue
        pad = max((end - ts) * 0.6, 2.0)
        za, zb = max(axis.t0, ts - pad), min(axis.t1, end + pad)
        if out and za <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], zb), out[-1][2])
            continue
        dur = end - ts
        label = f"the split at {axis.fmt(ts, date=axis.multi_day)} ({_duration(dur)}{'' if te is not None else ', still open'})"
        out.append((za, zb, label))
        if len(out) >= MAX_ZOOMS:
            break
    return out


def _duration(sec: float) -> str:
    if sec < 1:
        return f"{sec * 1000:.0f} ms"
    if sec < 120:
        return f"{sec:.0f} s"
    if sec < 7200:
        return f"{sec / 60:.0f} min"
    return f"{sec / 3600:.1f} h"


def _legend(a: Analysis, c: ChannelAnalysis, w, used: set[str]) -> None:  # type: ignore[no-untyped-def]
    labels: dict[int, list[str]] = {}
    for s in c.segments:
        ps = labels.setdefault(s.cluster, [])
        if s.pod not in ps:
            ps.append(s.pod)
    w('<div class="legend">')
    for lab in sorted(labels)[:40]:
        pods = labels[lab]
        desc = ", ".join(pods[:4]) + (f" +{len(pods) - 4}" if len(pods) > 4 else "")
        w(f'<span><span class="sw bg{lab % N_COLOURS}"></span>cluster {lab}{" (main)" if lab == 0 else ""}: {e1(desc, 400)}</span>')
    if len(labels) > 40:
        w(f"<span>… {len(labels) - 40} more cluster labels</span>")
    w("</div>\n")
    w('<div class="legend">')
    for key, sym, text in (
        ("split", _sym_split(), "split interval"),
        ("merge", _sym_merge(), "merge"),
        ("coord", _sym_coord(), "coordinator change"),
        ("restart", _sym_restart(), "restart (new incarnation)"),
        ("stop", _sym_stop(), "channel stopped"),
        ("suspect", _sym_suspect(), "suspicion"),
        ("gap", _sym_gap(), "no evidence (not started, stopped, or log missing)"),
        ("mixed", _sym_mixed(), "several clusters within one pixel (aggregated)"),
    ):
        if key in used:
            w(f'<span class="mk-{key}-legend">{sym} {text}</span>')
    w("</div>\n")


def _sym(body: str) -> str:
    return f'<svg width="18" height="14" viewBox="0 0 18 14" aria-hidden="true" style="vertical-align:-2px">{body}</svg>'


def _sym_split() -> str:
    return _sym('<rect class="split" x="1" y="1" width="16" height="12"/>')


def _sym_merge() -> str:
    return _sym('<line class="merge" x1="9" y1="0" x2="9" y2="14"/>')


def _sym_coord() -> str:
    return _sym('<path class="mk-coord" d="M9,2 l5,5 -5,5 -5,-5z"/>')


def _sym_restart() -> str:
    return _sym('<line class="mk-restart" x1="9" y1="2" x2="9" y2="14"/><path class="mk-restart-head" d="M5,0 h8 l-4,5z"/>')


def _sym_stop() -> str:
    return _sym('<rect class="mk-stop" x="5" y="3" width="8" height="8"/>')


def _sym_suspect() -> str:
    return _sym('<path class="mk-suspect" d="M9,1 l6,11 h-12z"/>')


def _sym_gap() -> str:
    return _sym('<rect x="0" y="1" width="18" height="12" class="gapbg"/><path class="gapline" d="M0,13 L12,1 M6,13 L18,1"/>')


def _sym_mixed() -> str:
    return _sym('<rect x="0" y="1" width="18" height="12" class="c0"/><path class="mixline" d="M0,13 L12,1 M6,13 L18,1"/>')


# ---------------------------------------------------------------------------------------------
# the SVG timeline

W = 1200.0
X0 = 200.0
X1 = 1185.0
MIN_W = 1.5


@dataclass
class _Run:
    x0: float
    x1: float
    label: int
    views: list[str] = field(default_factory=list)
    n: int = 1
    t0: float | None = None
    t1: float | None = None
    labels: dict[int, float] = field(default_factory=dict)
    mixed: bool = False
    open_end: bool = False


def _ticks(t0: float, t1: float) -> tuple[float, list[float]]:
    span = t1 - t0
    nice = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
            3600, 7200, 10800, 21600, 43200, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 90 * DAY, 365 * DAY]
    step = next((s for s in nice if span / s <= 8), nice[-1] * max(1, math.ceil(span / (8 * nice[-1]))))
    first = math.ceil(t0 / step) * step
    out: list[float] = []
    t = first
    while t <= t1 + 1e-9 and len(out) < 50:
        out.append(t)
        t = first + step * len(out)
    return step, out


def _tick_label(axis: Axis, t: float, step: float) -> str:
    if step >= DAY:
        return axis.day_of(t)
    if step < 1:
        return axis.fmt(t, ms=True)
    s = axis.fmt(t, ms=False)
    return s[:5] if step >= 60 else s


def svg_timeline(a: Analysis, c: ChannelAnalysis, axis: Axis, ci: int = 0) -> str:
    """One channel's timeline as an inline ``<svg>``: a ``<g class="lane">`` per pod."""
    return _svg_timeline(a, c, axis, ci, set(), channel_rows(a, c, axis))


def _svg_timeline(a: Analysis, c: ChannelAnalysis, axis: Axis, ci: int, used: set[str], rows: list[Row],
                  window: tuple[float, float] | None = None, zoom: int = 0) -> str:
    """The SVG of one channel; ``window`` (t0, t1) zooms into part of the axis."""
    pods = channel_pods(a, c)
    n = len(pods)
    lh = 24.0 if n <= 10 else (18.0 if n <= 30 else 14.0)
    bar = max(8.0, lh - 8.0)
    top = 46.0
    bottom = 54.0
    height = top + n * lh + bottom
    t0, t1 = window if window else (axis.t0, axis.t1)
    span = (t1 - t0) or 1.0
    pw = X1 - X0

    def x(t: float | None, default: float) -> float:
        if t is None:
            return default
        return X0 + max(0.0, min(1.0, (t - t0) / span)) * pw

    def shown(ta: float | None, tb: float | None = None) -> bool:
        """Does [ta, tb] (tb None = open) meet the window?"""
        if window is None:
            return True
        lo = ta if ta is not None else float("-inf")
        hi = tb if tb is not None else float("inf")
        return hi >= t0 and lo <= t1

    pid = f"t{ci}" + (f"z{zoom}" if window else "")
    out: list[str] = []
    o = out.append
    kind = "zoomed membership timeline" if window else "membership timeline"
    o(f'<svg class="timeline{" zoom" if window else ""}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(W)} {_num(height)}" '
      f'role="img" aria-label="{kind} of channel {e1(channel_title(c, a), 200)}" data-lanes="{n}">')
    o(f'<defs><pattern id="{pid}-gap" patternUnits="userSpaceOnUse" width="7" height="7" patternTransform="rotate(45)">'
      f'<rect width="7" height="7" class="gapbg"/><line x1="0" y1="0" x2="0" y2="7" class="gapline"/></pattern>'
      f'<pattern id="{pid}-mix" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)">'
      f'<line x1="0" y1="0" x2="0" y2="5" class="mixline"/></pattern></defs>')

    # axis grid and labels
    step, ticks = _ticks(t0, t1) if axis.known else (1.0, [])
    y_axis = top + n * lh + 4
    o(f'<line class="axis" x1="{_num(X0)}" y1="{_num(y_axis)}" x2="{_num(X1)}" y2="{_num(y_axis)}"/>')
    last_day = None
    for t in ticks:
        xx = x(t, X0)
        o(f'<line class="grid" x1="{_num(xx)}" y1="{_num(top - 6)}" x2="{_num(xx)}" y2="{_num(y_axis + 4)}"/>')
        anchor = "end" if xx > X1 - 30 else "middle"
        o(f'<text class="tick" x="{_num(xx)}" y="{_num(y_axis + 17)}" text-anchor="{anchor}">{e1(_tick_label(axis, t, step))}</text>')
        day = axis.day_of(t)
        if day != last_day and step < DAY:
            o(f'<text class="tick" x="{_num(xx)}" y="{_num(y_axis + 31)}" text-anchor="{anchor}">{e1(day)}</text>')
            last_day = day
    cap = cap_short = "UTC" if not axis.relative else "time of day"
    if axis.relative:
        cap = "times of day as logged (the logs carry no dates)"
    if not axis.known:
        cap, cap_short = "no timestamps in the logs: lanes show each pod's views in order only", ""
    o(f'<text class="axislabel" x="{_num(X0 - 32)}" y="{_num(y_axis + 17)}" text-anchor="end">{e1(cap_short)}</text>')
    if cap != cap_short:
        o(f'<text class="axislabel" x="{_num(X0)}" y="{_num(y_axis + 43)}">{e1(cap)}</text>')

    # splits (shaded; bands closer than a pixel merged, labels where there is room) and merges
    bands = _split_bands(c, axis, x, shown)
    last_label_x = -1e9
    for xa, xb, tip, is_open, count in bands:
        o(f'<g class="split-interval"><rect class="split" x="{_num(xa)}" y="{_num(top - 4)}" width="{_num(max(xb - xa, 2))}" '
          f'height="{_num(n * lh + 8)}"><title>{e(tip, 3000)}</title></rect>')
        if xa - last_label_x > 56:
            label = "split" + (f" ×{count}" if count > 1 else "") + (" (open)" if is_open else "")
            if xa > X1 - 8 * len(label):
                o(f'<text class="splitlabel" x="{_num(X1)}" y="{_num(top - 9)}" text-anchor="end">{label}</text>')
            else:
                o(f'<text class="splitlabel" x="{_num(xa + 3)}" y="{_num(top - 9)}">{label}</text>')
            last_label_x = xa
        o("</g>")
    last_label_x = -1e9
    for m in c.merges:
        te = axis.of_interval(m, False)
        if te is not None and not shown(te, te):
            continue
        xm = x(te, X1)
        groups = " + ".join("{" + ", ".join(g) + "}" for g in m.groups)
        o(f'<g class="merge-mark"><line class="merge" x1="{_num(xm)}" y1="{_num(top - 20)}" x2="{_num(xm)}" '
          f'y2="{_num(top + n * lh)}"><title>merge {e1(axis.fmt(te, date=True))} into {e1(m.view_id or "?", 300)} from '
          f'{e1(groups, 3000)}</title></line>')
        if xm - last_label_x > 44:
            anchor = "end" if xm > X1 - 24 else ("start" if xm < X0 + 24 else "middle")
            o(f'<text class="mergelabel" x="{_num(xm)}" y="{_num(top - 24)}" text-anchor="{anchor}">merge</text>')
            last_label_x = xm
        o("</g>")

    # lanes
    segs = segments_by_pod(c)
    rows_by_pod: dict[str, list[Row]] = {}
    for r in rows:
        rows_by_pod.setdefault(r.pod, []).append(r)
    states = {p.name: p for p in a.pods}
    for i, pod in enumerate(pods):
        y = top + i * lh
        yb = y + (lh - bar) / 2
        names = [inc.name for inc in states[pod].incarnations if inc.name] if pod in states else []
        tip = pod + (f" — JGroups name(s): {', '.join(names)}" if names else "")
        o(f'<g class="lane" data-pod="{e1(pod, 300)}">')
        short = pod if len(pod) <= 30 else pod[:14] + "…" + pod[-14:]
        o(f'<text class="pod" x="{_num(X0 - 8)}" y="{_num(y + lh / 2 + 4)}" text-anchor="end">{e1(short, 300)}'
          f"<title>{e1(tip, 2000)}</title></text>")
        o(f'<rect class="lanebg" x="{_num(X0)}" y="{_num(yb)}" width="{_num(pw)}" height="{_num(bar)}" fill="url(#{pid}-gap)">'
          f"<title>{e1(pod, 300)}: no evidence here (not started, stopped, or its log does not cover this time)</title></rect>")
        runs, ticks_x = _runs([sg for sg in segs.get(pod, []) if shown(sg.t_start, sg.t_end)], x, t0, t1)
        for r in runs:
            _draw_run(o, r, pod, yb, bar, axis, pid)
            if r.mixed:
                used.add("mixed")
        if ticks_x:
            d = "".join(f"M{_num(tx)},{_num(yb)}v{_num(bar)}" for tx in ticks_x)
            o(f'<path class="vtick" d="{d}"/>')
        used |= _lane_markers(o, pod, segs.get(pod, []), [r for r in rows_by_pod.get(pod, []) if r.t is None or shown(r.t, r.t)],
                              x, yb, bar, axis, shown)
        o("</g>")
    for xa, xb, _, _, _ in bands:
        o(f'<rect class="split-outline" x="{_num(xa)}" y="{_num(top - 4)}" width="{_num(max(xb - xa, 2))}" height="{_num(n * lh + 8)}"/>')
    o("</svg>")
    return "".join(out)


def _split_bands(c: ChannelAnalysis, axis: Axis, x, shown=None) -> list[tuple[float, float, str, bool, int]]:  # type: ignore[no-untyped-def]
    """(x0, x1, tooltip, open, count) per split band; bands that touch within a pixel are one."""
    items = []
    for s in c.splits:
        ts, te = axis.of_interval(s, True), axis.of_interval(s, False)
        if shown is not None and not shown(ts, te):
            continue
        groups = " | ".join("{" + ", ".join(g[:8]) + (" …" if len(g) > 8 else "") + "}" for g in s.groups[:6])
        until = axis.fmt(te, date=True) if te is not None else "still open at the end of the evidence"
        items.append((x(ts, X0), x(te, X1), f"split {axis.fmt(ts, date=True)} → {until}: {groups}", te is None))
    items.sort(key=lambda it: it[0])
    out: list[list] = []
    for xa, xb, tip, is_open in items:
        if out and xa <= out[-1][1] + 1.0:
            cur = out[-1]
            cur[1] = max(cur[1], xb)
            cur[4] += 1
            cur[3] = cur[3] or is_open
            if cur[4] <= 4:
                cur[2] += "\n" + tip
            elif cur[4] == 5:
                cur[2] += "\n…"
            continue
        out.append([xa, xb, tip, is_open, 1])
    return [tuple(b) for b in out]  # type: ignore[misc]


def _runs(segs: list, x, t0: float, t1: float) -> tuple[list[_Run], list[float]]:  # type: ignore[no-untyped-def]
    """Bars of one lane: consecutive segments of one cluster merged; bars narrower than
    :data:`MIN_W` merged into one "mixed" bar; view changes inside a bar as tick positions."""
    runs: list[_Run] = []
    ticks: set[float] = set()
    for s in segs:
        xa = x(s.t_start, X0)
        xb = x(s.t_end, X1)
        if xb < xa:
            xb = xa
        last = runs[-1] if runs else None
        if last is not None and last.label == s.cluster and xa <= last.x1 + 0.5:
            if s.view_id != (last.views[-1] if last.views else None):
                ticks.add(round(xa * 2) / 2)
                if len(last.views) < 3:
                    last.views.append(s.view_id)
                else:
                    last.views[-1] = s.view_id
            last.x1 = max(last.x1, xb)
            last.n += 1
            last.t1 = s.t_end
            last.open_end = s.t_end is None
            continue
        runs.append(_Run(x0=xa, x1=xb, label=s.cluster, views=[s.view_id], t0=s.t_start, t1=s.t_end,
                         labels={s.cluster: xb - xa}, open_end=s.t_end is None))
    # aggregate what would overlap
    out: list[_Run] = []
    for r in runs:
        narrow = (r.x1 - r.x0) < MIN_W
        prev = out[-1] if out else None
        if narrow and prev is not None and (prev.mixed or prev.x1 - prev.x0 < MIN_W) and r.x0 <= prev.x1 + 0.5:
            prev.labels[r.label] = prev.labels.get(r.label, 0.0) + (r.x1 - r.x0)
            for lab, wdt in r.labels.items():
                prev.labels[lab] = max(prev.labels.get(lab, 0.0), wdt) if lab != r.label else prev.labels[lab]
            if r.label != prev.label or prev.mixed:
                prev.mixed = len(prev.labels) > 1
            prev.x1 = max(prev.x1, r.x1)
            prev.n += r.n
            prev.t1 = r.t1
            prev.open_end = r.open_end
            if prev.mixed:
                prev.label = max(prev.labels, key=lambda k: prev.labels[k])
            continue
        out.append(r)
    raw = sorted(ticks)
    # a tick only where it stands apart: dense view changes would grey the bar out
    sparse = [tx for i, tx in enumerate(raw)
              if (i == 0 or tx - raw[i - 1] >= 3) and (i == len(raw) - 1 or raw[i + 1] - tx >= 3)]
    mixed = [(o.x0, o.x1) for o in out if o.mixed]
    inside = [tx for tx in sparse if not any(a <= tx <= b for a, b in mixed)]
    return out, inside


def _draw_run(o, r: _Run, pod: str, yb: float, bar: float, axis: Axis, pid: str) -> None:  # type: ignore[no-untyped-def]
    wdt = max(r.x1 - r.x0, 1.2)
    when = f"{axis.fmt(r.t0, date=True) if r.t0 is not None else 'start'} → " + (
        "end of evidence" if r.open_end else (axis.fmt(r.t1, date=True) if r.t1 is not None else "?")
    )
    if r.mixed:
        labs = ", ".join(str(k) for k in sorted(r.labels))
        tip = f"{pod}: {r.n} changes among clusters {labs}, {when}"
    else:
        views = " … ".join(r.views) if r.n <= 3 or len(r.views) < 2 else f"{r.views[0]} … {r.views[-1]}"
        tip = f"{pod}: cluster {r.label}{' (main)' if r.label == 0 else ''}, {r.n} view(s) {views}, {when}"
    o(f'<rect class="seg c{r.label % N_COLOURS}" data-cluster="{r.label}" x="{_num(r.x0)}" y="{_num(yb)}" '
      f'width="{_num(wdt)}" height="{_num(bar)}"><title>{e1(tip, 1000)}</title></rect>')
    if r.mixed:
        o(f'<rect class="mixed" x="{_num(r.x0)}" y="{_num(yb)}" width="{_num(wdt)}" height="{_num(bar)}" fill="url(#{pid}-mix)"/>')


class _Markers:
    """Markers of one kind on one lane, merged per pixel."""

    def __init__(self) -> None:
        self.at: dict[int, list[str]] = {}

    def add(self, xx: float, text: str) -> None:
        lst = self.at.setdefault(int(round(xx)), [])
        if len(lst) < 4:
            lst.append(text)
        elif len(lst) == 4:
            lst.append("…")

    def items(self) -> list[tuple[int, str]]:
        return [(k, "; ".join(v)) for k, v in sorted(self.at.items())]


def _lane_markers(o, pod: str, segs: list, rows: list[Row], x, yb: float, bar: float, axis: Axis, shown) -> set[str]:  # type: ignore[no-untyped-def]
    coord, restart, stop, suspect = _Markers(), _Markers(), _Markers(), _Markers()
    members = {(r.incarnation, r.view_id): r.members for r in rows if r.view_id}
    prev_coord = None
    for s in segs:
        cur = coordinator_of(s.view_id, members.get((s.incarnation, s.view_id)))
        if prev_coord is not None and cur != prev_coord and s.t_start is not None and shown(s.t_start, s.t_start):
            coord.add(x(s.t_start, X0), f"{axis.fmt(s.t_start)} coordinator {prev_coord} → {cur}")
        prev_coord = cur
    for r in rows:
        if r.t is None:
            continue
        if r.kind == "restart":
            restart.add(x(r.t, X0), f"{axis.fmt(r.t)} {pod} {r.text}")
        elif r.kind == "stop":
            stop.add(x(r.t, X0), f"{axis.fmt(r.t)} {pod}: {r.text}")
        elif r.kind == "suspect":
            suspect.add(x(r.t, X0), f"{axis.fmt(r.t)} {pod} {r.text}")
    for xx, tip in restart.items():
        o(f'<g class="mk"><line class="mk-restart" x1="{xx}" y1="{_num(yb - 3)}" x2="{xx}" y2="{_num(yb + bar + 2)}"/>'
          f'<path class="mk-restart-head" d="M{xx - 4},{_num(yb - 5)}h8l-4,5z"/><title>{e1(tip, 1500)}</title></g>')
    for xx, tip in stop.items():
        o(f'<rect class="mk-stop" x="{xx - 3.5}" y="{_num(yb + bar / 2 - 3.5)}" width="7" height="7"><title>{e1(tip, 1500)}</title></rect>')
    for xx, tip in coord.items():
        o(f'<path class="mk-coord" d="M{xx},{_num(yb - 4)}l4,4 -4,4 -4,-4z"><title>{e1(tip, 1500)}</title></path>')
    for xx, tip in suspect.items():
        o(f'<path class="mk-suspect" d="M{xx},{_num(yb + bar - 5)}l5,8h-10z"><title>{e1(tip, 1500)}</title></path>')
    kinds = {"coord": coord, "restart": restart, "stop": stop, "suspect": suspect}
    return {k for k, m in kinds.items() if m.at}


# ---------------------------------------------------------------------------------------------
# tables


def _partitions(a: Analysis, c: ChannelAnalysis, axis: Axis, w) -> None:  # type: ignore[no-untyped-def]
    parts = partitions(a, c, axis)
    if not parts:
        return
    w(f'<h3>Clusters over time</h3>\n<table class="parts"><thead><tr><th class="t">from</th><th class="t">to</th>'
      f'<th class="num">clusters</th><th>pods per cluster (view)</th><th>what changed</th></tr></thead><tbody>\n')
    shown = parts
    cut = 0
    if len(parts) > MAX_PART_ROWS:
        head = MAX_PART_ROWS // 3
        cut = len(parts) - MAX_PART_ROWS
        shown = parts[:head] + [None] + parts[-(MAX_PART_ROWS - head):]  # type: ignore[list-item]
    for p in shown:
        if p is None:
            w(f'<tr><td colspan="5" class="note">… {cut} changes not shown (see <code>jgview timeline</code> or '
              "<code>jgview --json</code>) …</td></tr>\n")
            continue
        chips = []
        for lab, ps, views in p.groups[:12]:
            vs = ", ".join(views[:2]) + (" …" if len(views) > 2 else "")
            chips.append(f'<span><span class="sw bg{lab % N_COLOURS}"></span>{_names(ps, 12)} <code>{e1(vs, 300)}</code></span>')
        more = f"<span>… {len(p.groups) - 12} more</span>" if len(p.groups) > 12 else ""
        end = axis.fmt(p.end) if p.end is not None else "end"
        w(f'<tr><td class="t">{e1(axis.fmt(p.start))}</td><td class="t">{e1(end)}</td><td class="num">{len(p.groups)}</td>'
          f'<td class="chips">{"".join(chips)}{more}</td><td>{e1(p.note, 1000)}</td></tr>\n')
    w("</tbody></table>\n")
    if axis.known:
        w(f'<p class="note">Times {"UTC" if not axis.relative else "of day as logged"}; '
          f"{e1(axis.day_of(axis.t0))}{' to ' + e1(axis.day_of(axis.t1)) if axis.day_of(axis.t0) != axis.day_of(axis.t1) else ''}.</p>\n")


def _pod_histories(a: Analysis, axis: Axis, w, rows_of: dict[int, list[Row]]) -> None:  # type: ignore[no-untyped-def]
    if not a.pods:
        return
    w('<section id="pods">\n<h2>Pods: view history</h2>\n')
    rows_by: dict[str, list[tuple[str, Row]]] = {}
    for c in a.channels:
        title = channel_title(c, a)
        for r in rows_of.get(id(c)) or channel_rows(a, c, axis):
            rows_by.setdefault(r.pod, []).append((title, r))
    for p in sorted(a.pods, key=lambda p: natural_key(p.name)):
        status = "live at the end" if p.live else "not live at the end"
        w(f'<details open class="pod"><summary>{e1(p.name, 300)} <span class="meta">— {status}, '
          f"{len(p.incarnations)} incarnation(s)</span></summary>\n")
        if p.addresses:
            w(f'<p class="note">Names and addresses: {_names(p.addresses, 24)}</p>\n')
        if p.incarnations:
            w('<table><thead><tr><th class="num">#</th><th>JGroups name</th><th>UUID</th><th>physical address</th>'
              '<th class="t">start</th><th class="t">end</th><th>stopped</th><th>log</th></tr></thead><tbody>\n')
            for inc in p.incarnations:
                ts = [r.t for _, r in rows_by.get(p.name, []) if r.incarnation == inc.index and r.t is not None]
                st = axis.fmt(axis.of_dt(inc.start), date=True) if inc.start and not axis.relative else (
                    axis.fmt(min(ts), date=True) if ts else "?")
                en = axis.fmt(axis.of_dt(inc.end), date=True) if inc.end and not axis.relative else (
                    axis.fmt(max(ts), date=True) if ts else "?")
                loc = f"{inc.source}:{inc.line}" if inc.source and inc.line else (inc.source or "")
                w(f'<tr><td class="num">{inc.index}</td><td>{e1(inc.name or "?", 300)}</td><td class="mono">{e1(inc.uuid or "", 100)}</td>'
                  f'<td class="mono">{_names(inc.physical, 6)}</td><td class="t">{e1(st)}</td><td class="t">{e1(en)}</td>'
                  f'<td>{"yes" if inc.stopped else "no"}</td><td class="mono">{e1(loc, 400)}</td></tr>\n')
            w("</tbody></table>\n")
        rows = rows_by.get(p.name, [])
        if rows:
            multi = len({ch for ch, _ in rows}) > 1
            w('<table><thead><tr><th class="t">time</th>' + ("<th>channel</th>" if multi else "")
              + '<th>event</th><th>view</th><th class="num">size</th><th>members (changes)</th><th>log line</th></tr></thead><tbody>\n')
            shown: list[tuple[str, Row] | None] = list(rows)
            cut = 0
            if len(rows) > MAX_POD_ROWS:
                head = MAX_POD_ROWS // 4
                cut = len(rows) - MAX_POD_ROWS
                shown = rows[:head] + [None] + rows[-(MAX_POD_ROWS - head):]
            prev: dict[str, list[str]] = {}
            for item in shown:
                if item is None:
                    w(f'<tr><td colspan="{7 if multi else 6}" class="note">… {cut} rows not shown …</td></tr>\n')
                    prev = {}
                    continue
                ch, r = item
                view_cell, mem = "", ""
                if r.kind in ("restart", "stop", "suspect"):
                    event = r.text
                else:
                    event = {"implied": "view (implied)", "merged": "merge view", "joined": "joined (view unknown)"}.get(r.kind, r.kind)
                    view_cell = f"<code>{e1(r.view_id or '?', 300)}</code>"
                    if r.view_id and r.view_id != "?":
                        before = prev.get(ch)
                        if before is None:
                            mem = _names(r.members)
                        else:
                            bset, mset = set(before), set(r.members)
                            plus = [m for m in r.members if m not in bset]
                            minus = [m for m in before if m not in mset]
                            mem = " ".join([f"+{e1(m, 300)}" for m in plus[:MAX_MEMBERS]] + [f"−{e1(m, 300)}" for m in minus[:MAX_MEMBERS]])
                            mem = mem or '<span class="meta">same members</span>'
                        prev[ch] = r.members
                sw = f'<span class="sw bg{r.label % N_COLOURS}"></span>' if r.label is not None else ""
                loc = f"{r.source}:{r.line}" if r.source and r.line else (r.source or "")
                size = str(r.size) if r.view_id and r.view_id != "?" else ""
                w(f'<tr><td class="t">{e1(axis.fmt(r.t))}</td>' + (f"<td>{e1(ch, 200)}</td>" if multi else "")
                  + f'<td>{sw}{e1(event, 400)}</td><td>{view_cell}</td><td class="num">{size}</td><td>{mem}</td>'
                  f'<td class="mono">{e1(loc, 400)}</td></tr>\n')
            w("</tbody></table>\n")
        w("</details>\n")
    w("</section>\n")


def _evidence(a: Analysis, axis: Axis, w) -> None:  # type: ignore[no-untyped-def]
    seen: dict[tuple[str, int, str], Evidence] = {}
    for f in a.findings:
        for ev in f.evidence:
            seen.setdefault((ev.source, ev.line, ev.text), ev)
    for c in a.channels:
        for i in [*c.splits, *c.merges]:
            for ev in i.evidence:
                seen.setdefault((ev.source, ev.line, ev.text), ev)
    evs = sorted(seen.values(), key=lambda ev: (ev.time is None, ev.time.timestamp() if ev.time else 0.0, ev.source, ev.line))
    w('<section id="evidence">\n<h2>Evidence lines</h2>\n')
    if not evs:
        w('<p class="note">No evidence lines.</p>\n</section>\n')
        return
    w('<table><thead><tr><th class="t">time</th><th>pod</th><th>log line</th><th>text</th></tr></thead><tbody>\n')
    for ev in evs[:MAX_EVIDENCE]:
        t = axis.fmt(axis.of_dt(ev.time), date=True) if ev.time is not None and not axis.relative else ""
        loc = f"{ev.source}:{ev.line}" if ev.line else ev.source
        w(f'<tr><td class="t">{e1(t)}</td><td>{e1(ev.pod or "", 300)}</td><td class="mono">{e1(loc, 400)}</td>'
          f"<td><code>{e1(ev.text, 1000)}</code></td></tr>\n")
    w("</tbody></table>\n")
    if len(evs) > MAX_EVIDENCE:
        w(f'<p class="note">… {len(evs) - MAX_EVIDENCE} more evidence lines in <code>jgview --json</code>.</p>\n')
    w("</section>\n")


def _inputs(a: Analysis, w) -> None:  # type: ignore[no-untyped-def]
    w('<section id="inputs">\n<h2>Inputs</h2>\n')
    if a.sources:
        w('<table><thead><tr><th>source</th><th>pod(s)</th><th>layout</th><th class="num">lines</th>'
          '<th class="num">records</th><th>notes</th></tr></thead><tbody>\n')
        for s in a.sources[:500]:
            notes = []
            if s.previous:
                notes.append("previous container")
            if s.time_only:
                notes.append("times without dates")
            if s.undecodable_lines:
                notes.append(f"{s.undecodable_lines} undecodable line(s)")
            if s.long_lines:
                notes.append(f"{s.long_lines} truncated long line(s)")
            notes.extend(s.errors[:3])
            w(f'<tr><td class="mono">{e1(s.name, 400)}</td><td>{_names(s.pods or ([s.pod_hint] if s.pod_hint else []), 8)}</td>'
              f'<td>{e1(s.layout or "?", 100)}</td><td class="num">{s.lines}</td><td class="num">{s.records}</td>'
              f"<td>{e1('; '.join(notes), 1000)}</td></tr>\n")
        w("</tbody></table>\n")
        if len(a.sources) > 500:
            w(f'<p class="note">… {len(a.sources) - 500} more sources.</p>\n')
    notes = list(dict.fromkeys(list(a.problems) + [str(x) for x in a.stats.get("warnings", [])]))
    if notes:
        w("<h3>Notes</h3>\n<ul>\n")
        for n in notes[:200]:
            w(f"<li>{e1(n, 1000)}</li>\n")
        w("</ul>\n")
    w("</section>\n")


__all__ = ["render", "svg_timeline", "e", "e1"]
