"""The postmortem report as Markdown, for pasting into an incident document or an issue.

GitHub-flavoured Markdown: the verdict, the findings with evidence and fix, the clusters at the
end, a compact table of membership changes across pods and a short timeline table. The output is
deterministic (no generation time, no version) so that it can be compared with golden files.

Log text is never trusted: in prose every Markdown metacharacter is backslash-escaped
(:func:`md_text`); names and view ids go into code spans whose fence is longer than any backtick
run inside (:func:`md_code`); evidence lines and fixes go into fenced blocks whose fence is longer
than any backtick run in the text (:func:`md_block`). In table cells ``|`` is escaped even inside
code spans, as GFM requires.
"""

from __future__ import annotations

import re

from jgview.models import Analysis, ChannelAnalysis
from jgview.render.safe import clean, clean_line
from jgview.render.timeline import (
    MAX_COLUMNS,
    Axis,
    Row,
    channel_pods,
    channel_rows,
    channel_title,
    group_rows,
    partitions,
)

MAX_CHANGE_ROWS = 40
MAX_TIMELINE_ROWS = 30
MAX_EVIDENCE = 8
MAX_NAMES = 12

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&])")
_LEADING_MARK = re.compile(r"^(\s{0,3})([-+=])")
_LEADING_NUM = re.compile(r"^(\s{0,3}\d{1,9})([.)])")
_BACKTICKS = re.compile(r"`+")


def md_text(text: object, limit: int = 2000) -> str:
    """Log text as inert Markdown prose on one line: the characters that make emphasis, code,
    links, HTML, tables, headings or entities are backslash-escaped, and so is a leading list or
    setext marker, so the rendered text is the text itself."""
    s = _SPECIAL.sub(r"\\\1", clean_line(text, limit))
    s = _LEADING_MARK.sub(r"\1\\\2", s)
    return _LEADING_NUM.sub(r"\1\\\2", s)


def _longest_run(s: str) -> int:
    return max((len(m.group(0)) for m in _BACKTICKS.finditer(s)), default=0)


def md_code(text: object, *, table: bool = False, limit: int = 500) -> str:
    """A code span that shows ``text`` literally (on one line)."""
    s = clean_line(text, limit)
    if not s:
        return ""
    fence = "`" * (_longest_run(s) + 1)
    if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ")):
        s = f" {s} "
    if table:
        s = s.replace("|", "\\|")
    return f"{fence}{s}{fence}"


def md_block(text: object, limit: int = 12000, info: str = "text") -> str:
    """A fenced code block that shows ``text`` literally (lines kept)."""
    s = clean(text, limit).replace("\r", "")
    fence = "`" * max(3, _longest_run(s) + 1)
    return f"{fence}{info}\n{s}\n{fence}"


def _cell(text: object, limit: int = 500) -> str:
    """Prose in a table cell."""
    return md_text(text, limit) or " "


def _names(names: list[str], n: int = MAX_NAMES, table: bool = True) -> str:
    shown = ", ".join(md_code(x, table=table, limit=200) for x in names[:n])
    if len(names) > n:
        shown += f" … (+{len(names) - n})"
    return shown


def _groups(groups: list[list[str]], table: bool = True, n: int = 6) -> str:
    sep = " \\| " if table else " | "
    return sep.join("{" + _names(g, 6, table) + "}" for g in groups[:n]) + (" …" if len(groups) > n else "")


# ---------------------------------------------------------------------------------------------


def render(a: Analysis, *, title: str | None = None, redacted: bool = False) -> str:
    axis = Axis(a)
    out: list[str] = []
    w = out.append
    w(f"# {md_text(title or 'jgview report', 300)}\n")
    w(f"**Verdict: {a.verdict.value.upper()}** — {md_text(_sentence_body(a.sentence), 2000)}\n")
    st = a.stats
    facts = f"{st.get('sources', 0)} source(s), {st.get('lines', 0)} lines, {st.get('events', 0)} membership events, {len(a.pods)} pod(s)"
    if axis.known:
        facts += f"; evidence from {axis.fmt(axis.t0, date=True)} to {axis.fmt(axis.t1, date=True)}"
        facts += " (UTC)" if not axis.relative else " (times of day as logged; no dates in the logs)"
    w(f"_{md_text(facts, 1000)}_\n")
    if redacted:
        w("_Redacted: IP addresses, tokens, user names and e\\-mail addresses are replaced by placeholders._\n")

    # findings
    w("## Findings\n")
    if not a.findings:
        w("No findings.\n")
    for n, f in enumerate(a.findings, 1):
        head = md_text(f.title or f.summary, 400)
        w(f"### {n}. {f.severity.value.upper()}: {head} ({md_code(f.id, limit=200)})\n")
        if f.title and f.summary:
            w(f"{md_text(f.summary, 4000)}\n")
        if f.evidence:
            lines = []
            for ev in f.evidence[:MAX_EVIDENCE]:
                loc = f"{ev.source}:{ev.line}" if ev.line else ev.source
                lines.append(f"{clean_line(loc, 300)}  {clean_line(ev.text, 600)}")
            if len(f.evidence) > MAX_EVIDENCE:
                lines.append(f"… {len(f.evidence) - MAX_EVIDENCE} more evidence line(s) (jgview --json)")
            w("Evidence:\n")
            w(md_block("\n".join(lines)) + "\n")
        if f.remediation:
            w("Fix:\n")
            w(md_block(f.remediation) + "\n")

    # clusters at the end
    if a.channels:
        w("## Clusters at the end of the evidence\n")
        w("| channel | verdict | view | coordinator | size | members | pods seeing it |")
        w("|---|---|---|---|---:|---|---|")
        for c in a.channels:
            name = md_code(channel_title(c, a), table=True, limit=200)
            if not c.clusters:
                w(f"| {name} | {c.verdict.value} | – | – | 0 | – | – |")
            for cl in c.clusters:
                view = md_code(cl.view_id, table=True, limit=300) + (" (implied)" if cl.implied else "")
                w(f"| {name} | {c.verdict.value} | {view} | {md_code(cl.coordinator, table=True, limit=200)} | {cl.size} "
                  f"| {_names(cl.members)} | {_names(cl.seen_by)} |")
        w("")

    for c in a.channels:
        _channel(a, c, axis, w)
    return "\n".join(out).rstrip("\n") + "\n"


def _sentence_body(s: str) -> str:
    head, sep, rest = s.partition(": ")
    return rest if sep and head.isupper() and len(head) <= 8 else s


def _channel(a: Analysis, c: ChannelAnalysis, axis: Axis, w) -> None:  # type: ignore[no-untyped-def]
    pods = channel_pods(a, c)
    rows = channel_rows(a, c, axis)
    if not pods and not rows:
        return
    w(f"## Channel {md_code(channel_title(c, a), limit=200)}: {c.verdict.value}\n")
    if c.reason:
        w(f"{md_text(c.reason, 1000)}\n")
    tz = "UTC" if not axis.relative else "time of day as logged"
    # short timeline: the clusters over time
    parts = partitions(a, c, axis)
    if parts:
        w(f"### Timeline ({tz})\n")
        w("| from | clusters | pods per cluster | what changed |")
        w("|---|---:|---|---|")
        shown: list = list(parts)
        if len(parts) > MAX_TIMELINE_ROWS:
            head = MAX_TIMELINE_ROWS // 3
            shown = parts[:head] + [None] + parts[-(MAX_TIMELINE_ROWS - head):]
        for p in shown:
            if p is None:
                w(f"| … | | {len(parts) - MAX_TIMELINE_ROWS} changes not shown | |")
                continue
            groups = " \\| ".join("{" + _names(ps, 6) + "}" for _, ps, _ in p.groups[:6]) + (" …" if len(p.groups) > 6 else "")
            w(f"| {axis.fmt(p.start, date=axis.multi_day)} | {len(p.groups)} | {groups or '–'} | {_cell(p.note, 400)} |")
        w("")
    for sp in c.splits:
        ts, te = axis.of_interval(sp, True), axis.of_interval(sp, False)
        until = axis.fmt(te, date=True) if te is not None else "still open at the end of the evidence"
        w(f"- **split** {axis.fmt(ts, date=True)} → {until}: {_groups(sp.groups, table=False)}")
    for m in c.merges:
        te = axis.of_interval(m, False)
        w(f"- **merge** {axis.fmt(te, date=True)} into {md_code(m.view_id or '?', limit=300)} from "
          + " + ".join("{" + _names(g, 6, False) + "}" for g in m.groups[:6]))
    if c.splits or c.merges:
        w("")
    # membership changes across pods
    if rows:
        w(f"### Membership changes ({tz})\n")
        if 0 < len(pods) <= MAX_COLUMNS:
            _columns(rows, pods, axis, w)
        else:
            _compact(rows, axis, w)
        w("")


def _cut(groups: list) -> tuple[list, int]:
    if len(groups) <= MAX_CHANGE_ROWS:
        return groups, 0
    head = MAX_CHANGE_ROWS // 4
    return groups[:head] + [None] + groups[-(MAX_CHANGE_ROWS - head):], len(groups) - MAX_CHANGE_ROWS


def _view_cell(r: Row) -> str:
    if r.kind in ("restart", "stop", "suspect"):
        return _cell(r.text, 300)
    if r.kind == "joined" or not r.view_id or r.view_id == "?":
        return "joined (view unknown)"
    mark = {"merged": "merge ", "implied": "implied "}.get(r.kind, "")
    return f"{mark}{md_code(r.view_id, table=True, limit=300)} ({r.size})"


def _columns(rows: list[Row], pods: list[str], axis: Axis, w) -> None:  # type: ignore[no-untyped-def]
    w("| time | " + " | ".join(md_code(p, table=True, limit=200) for p in pods) + " |")
    w("|---|" + "---|" * len(pods))
    groups, cut = _cut(group_rows(rows))
    for g in groups:
        if g is None:
            w(f"| … {cut} more | " + " | ".join("" for _ in pods) + " |")
            continue
        by = {r.pod: r for r in g}
        cells = [(_view_cell(by[p]) if p in by else "") for p in pods]
        w(f"| {axis.fmt(g[0].t, date=axis.multi_day) if g[0].t is not None else '?'} | " + " | ".join(cells) + " |")
    views: dict[str, list[str]] = {}
    for r in rows:
        if r.view_id and r.view_id != "?" and r.members and r.view_id not in views:
            views[r.view_id] = r.members
    if views:
        w("")
        w("| view | members |")
        w("|---|---|")
        items = list(views.items())
        for vid, members in items[:MAX_CHANGE_ROWS]:
            w(f"| {md_code(vid, table=True, limit=300)} | {_names(members, 20)} |")
        if len(items) > MAX_CHANGE_ROWS:
            w(f"| … | {len(items) - MAX_CHANGE_ROWS} more views |")


def _compact(rows: list[Row], axis: Axis, w) -> None:  # type: ignore[no-untyped-def]
    w("| time | pods | view | members (changes) |")
    w("|---|---|---|---|")
    groups, cut = _cut(group_rows(rows))
    last: dict[str, list[str]] = {}
    for g in groups:
        if g is None:
            w(f"| … | {cut} more | | |")
            last = {}
            continue
        h = g[0]
        who = _names([r.pod for r in g], 4)
        mem = ""
        if h.view_id and h.view_id != "?" and h.members and h.kind not in ("restart", "stop", "suspect"):
            prev = last.get(h.pod)
            if prev is None:
                mem = _names(h.members, 8)
            else:
                ps, ms = set(prev), set(h.members)
                plus = [m for m in h.members if m not in ps]
                minus = [m for m in prev if m not in ms]
                mem = " ".join([f"\\+{md_code(m, table=True, limit=200)}" for m in plus[:8]]
                               + [f"−{md_code(m, table=True, limit=200)}" for m in minus[:8]]) or "same members"
            for r in g:
                last[r.pod] = h.members
        w(f"| {axis.fmt(h.t, date=axis.multi_day) if h.t is not None else '?'} | {who} | {_view_cell(h)} | {mem} |")
