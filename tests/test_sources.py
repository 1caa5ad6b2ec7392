"""sources: discover() and open_lines()."""

from __future__ import annotations

import gzip
import io
import os
import time

import pytest

from jgview.models import SourceInfo
from jgview.sources import Input, discover, open_lines, pod_hint_from_path

VIEW = (
    "2024-05-01 10:00:00,123 INFO  [org.infinispan.CLUSTER] (jgroups-7,keycloak-0-12345) "
    "ISPN000094: Received new cluster view for channel ISPN: [keycloak-0-12345|1] (2) "
    "[keycloak-0-12345, keycloak-1-678]"
)


def read(path, **kw):
    errors: list[str] = []
    info = SourceInfo(name=str(path))
    inp = Input(name=str(path), path=str(path), pod_hint=None)
    lines = list(open_lines(inp, info, errors.append, **kw))
    return lines, info, errors


# ---------------------------------------------------------------------------- discover


def test_no_paths_and_dash_mean_stdin():
    errs: list[str] = []
    assert [i.name for i in discover([], errs.append)] == ["<stdin>"]
    got = discover(["-", "-"], errs.append)
    assert len(got) == 1 and got[0].path is None and got[0].name == "<stdin>"
    assert errs == []


def test_missing_path_reported_and_others_go_on(tmp_path):
    good = tmp_path / "keycloak-0.log"
    good.write_text(VIEW + "\n")
    errs: list[str] = []
    got = discover([str(tmp_path / "nope.log"), str(good)], errs.append)
    assert [i.path for i in got] == [str(good)]
    assert errs == [f"jgview: cannot read '{tmp_path / 'nope.log'}': No such file or directory"]


def test_directory_walk_sorted_filtered_with_symlink_loop(tmp_path):
    root = tmp_path / "logs"
    (root / "b").mkdir(parents=True)
    (root / "a").mkdir()
    (root / ".hidden").mkdir()
    for rel in [
        "a/keycloak-1.log",
        "a/keycloak-0.log",
        "b/server.log.1",
        "b/server.log.2.gz",
        "b/export.csv",
        "b/pod.json",
        "b/keycloak-2",
        "b/notes.txt",
        "b/trace.jsonl",
        "b/picture.png",
        "b/lib.jar",
        "b/bundle.tar.gz",
        "b/app.zip",
        "b/.secret.log",
        ".hidden/x.log",
        "b/values.yaml",
    ]:
        (root / rel).write_text("x\n")
    # loops: a link to the root and a link to a sibling directory already visited
    os.symlink(root, root / "b" / "loop")
    os.symlink(root / "a", root / "b" / "again")
    os.symlink(root / "missing", root / "b" / "dangling.log")
    errs: list[str] = []
    got = discover([str(root)], errs.append)
    names = [os.path.relpath(i.path, root) for i in got]
    assert names == [
        "a/keycloak-0.log",
        "a/keycloak-1.log",
        "b/export.csv",
        "b/keycloak-2",
        "b/notes.txt",
        "b/pod.json",
        "b/server.log.1",
        "b/server.log.2.gz",
        "b/trace.jsonl",
    ]
    assert errs == []
    assert got[0].name == os.path.join(str(root), "a", "keycloak-0.log")
    assert got[0].pod_hint == "keycloak-0"


def test_pretty_json_documents_skipped_in_walks_only(tmp_path):
    (tmp_path / "truth.json").write_text('{\n  "verdict": "split"\n}\n')
    (tmp_path / "objects.json").write_text('[\n {"kind": "Service"}\n]\n')
    (tmp_path / "keycloak-0.json").write_text('{"timestamp": "2024-05-01T10:00:00Z", "message": "x"}\n')
    got = discover([str(tmp_path)], lambda m: None)
    assert [os.path.basename(i.path) for i in got] == ["keycloak-0.json"]
    assert len(discover([str(tmp_path / "truth.json")], lambda m: None)) == 1


def test_explicit_file_is_read_whatever_its_name(tmp_path):
    odd = tmp_path / "dump.weird"
    odd.write_text("x\n")
    errs: list[str] = []
    assert [i.path for i in discover([str(odd)], errs.append)] == [str(odd)]


def test_empty_directory_is_reported(tmp_path):
    (tmp_path / "empty").mkdir()
    errs: list[str] = []
    assert discover([str(tmp_path / "empty")], errs.append) == []
    assert len(errs) == 1 and "no log files" in errs[0] and "empty" in errs[0]


def test_same_file_twice_is_read_once(tmp_path):
    f = tmp_path / "keycloak-0.log"
    f.write_text("x\n")
    os.symlink(f, tmp_path / "alias.log")
    errs: list[str] = []
    assert len(discover([str(f), str(tmp_path)], errs.append)) == 1


@pytest.mark.parametrize(
    ("path", "pod", "container", "previous"),
    [
        ("keycloak-0.log", "keycloak-0", None, False),
        ("logs/keycloak-0_keycloak.log", "keycloak-0", "keycloak", False),
        ("pod-keycloak-1.log.gz", "keycloak-1", None, False),
        ("keycloak-0-previous.log", "keycloak-0", None, True),
        ("keycloak-0.previous.log", "keycloak-0", None, True),
        ("keycloak-5d8f7c9b4-x2k9q", "keycloak-5d8f7c9b4-x2k9q", None, False),
        ("server.log.2.gz", None, None, False),
        ("bundle/keycloak-2/server.log", "keycloak-2", None, False),
        (
            "inspect/namespaces/auth/pods/keycloak-0/keycloak/keycloak/logs/previous.log",
            "keycloak-0",
            "keycloak",
            True,
        ),
        ("/var/log/pods/auth_keycloak-1_0b7d5c2e-1f3a/keycloak/0.log", "keycloak-1", "keycloak", False),
        ("mg/namespaces/auth/pods/kc-2/kc/kc/logs/previous.insecure.log", "kc-2", "kc", True),
        (
            "/var/log/containers/keycloak-1_auth_keycloak-" + "ab" * 32 + ".log",
            "keycloak-1",
            "keycloak",
            False,
        ),
    ],
)
def test_pod_hints(path, pod, container, previous):
    assert pod_hint_from_path(path) == (pod, container, previous)


def test_discover_sets_hints(tmp_path):
    f = tmp_path / "keycloak-1_keycloak-previous.log"
    f.write_text("x\n")
    (inp,) = discover([str(f)], lambda m: None)
    assert (inp.pod_hint, inp.container, inp.previous) == ("keycloak-1", "keycloak", True)


# ---------------------------------------------------------------------------- open_lines


def test_plain_lines_numbers_and_counts(tmp_path):
    f = tmp_path / "a.log"
    f.write_bytes(b"one\r\ntwo\n\nfour")
    lines, info, errs = read(f)
    assert lines == [(1, "one"), (2, "two"), (3, ""), (4, "four")]
    assert info.lines == 4 and info.bytes == 14
    assert errs == []


def test_crlf_nul_and_bom(tmp_path):
    f = tmp_path / "a.log"
    f.write_bytes(b"\xef\xbb\xbf" + b"\x00" * 64 + b"first\r\nsec\x00ond\r\n")
    lines, info, _ = read(f)
    assert lines == [(1, "first"), (2, "second")]


def test_utf16_with_bom(tmp_path):
    f = tmp_path / "win.log"
    f.write_bytes("ISPN000094: á\r\nnext\r\n".encode("utf-16"))
    lines, info, _ = read(f)
    assert lines == [(1, "ISPN000094: á"), (2, "next")]
    assert info.undecodable_lines == 0


def test_gzip_detected_by_magic_not_name(tmp_path):
    f = tmp_path / "keycloak-0.log"  # gzip content, .log name
    f.write_bytes(gzip.compress((VIEW + "\nsecond\n").encode()))
    lines, info, errs = read(f)
    assert lines == [(1, VIEW), (2, "second")]
    assert errs == []


def test_plain_file_with_gz_name(tmp_path):
    f = tmp_path / "x.log.gz"
    f.write_text("not compressed\n")
    lines, _, errs = read(f)
    assert lines == [(1, "not compressed")] and errs == []


def test_concatenated_gzip_members(tmp_path):
    f = tmp_path / "rotated.gz"
    f.write_bytes(gzip.compress(b"a\nb\n") + gzip.compress(b"c\n"))
    lines, _, errs = read(f)
    assert [t for _, t in lines] == ["a", "b", "c"] and errs == []


def test_truncated_gzip_yields_what_was_read_then_one_error(tmp_path):
    body = "".join(f"{VIEW} #{i}\n" for i in range(5000)).encode()
    data = gzip.compress(body)
    f = tmp_path / "cut.log.gz"
    f.write_bytes(data[: len(data) * 2 // 3])
    lines, info, errs = read(f)
    assert len(errs) == 1
    assert "cut.log.gz" in errs[0] and "truncated" in errs[0] and "\n" not in errs[0]
    assert info.errors == errs
    assert len(lines) > 100
    assert lines[0] == (1, VIEW + " #0")
    # every complete line came through unchanged, in order
    for n, text in lines[:-1]:
        assert text == f"{VIEW} #{n - 1}"


def test_corrupt_gzip_reports_once(tmp_path):
    data = bytearray(gzip.compress(("\n".join(f"line {i} " * 20 for i in range(2000))).encode()))
    for i in range(200, 260):
        data[i] ^= 0x5A
    f = tmp_path / "bad.gz"
    f.write_bytes(bytes(data))
    lines, info, errs = read(f)
    assert len(errs) == 1 and "bad.gz" in errs[0]


def test_gzip_bomb_bounded(tmp_path):
    f = tmp_path / "bomb.gz"
    f.write_bytes(gzip.compress(b"A" * 5_000_000 + b"\n" + b"ISPN\n" * 1000))
    lines, info, errs = read(f, max_bytes=100_000, max_line=1000)
    assert info.bytes <= 100_000
    assert len(errs) == 1 and "bomb.gz" in errs[0] and "100000" in errs[0]


def test_invalid_utf8_inside_line(tmp_path):
    f = tmp_path / "latin.log"
    f.write_bytes(b"ok line\nISPN000094: caf\xe9 view [a|1] (1) [a]\nISPN \xff\xfe end\n")
    lines, info, _ = read(f)
    assert lines[1] == (2, "ISPN000094: caf\ufffd view [a|1] (1) [a]")
    assert lines[2] == (3, "ISPN \ufffd\ufffd end")
    assert info.undecodable_lines == 2


def test_huge_line_bounded_and_counted(tmp_path):
    f = tmp_path / "huge.log"
    with open(f, "wb") as fh:
        fh.write(b"before\n")
        fh.write(b"ISPN000094: " + b"x" * (20 * 1024 * 1024) + b"\n")
        fh.write(b"after\n")
    t0 = time.perf_counter()
    lines, info, errs = read(f, max_line=1024 * 1024)
    assert time.perf_counter() - t0 < 10
    assert [n for n, _ in lines] == [1, 2, 3]
    assert lines[0][1] == "before" and lines[2][1] == "after"
    assert len(lines[1][1]) == 1024 * 1024 and lines[1][1].startswith("ISPN000094: xxx")
    assert info.long_lines == 1 and errs == []


def test_long_lines_with_small_bound_across_chunks(tmp_path):
    f = tmp_path / "l.log"
    f.write_bytes(b"abcdefghij\nshort\n" + "é".encode() * 10 + b"\nz")
    lines, info, _ = read(f, max_line=5)
    assert lines == [(1, "abcde"), (2, "short"), (3, "éé"), (4, "z")]
    assert info.long_lines == 2 and info.undecodable_lines == 0


def test_unreadable_and_directory_inputs_do_not_raise(tmp_path):
    errs: list[str] = []
    info = SourceInfo(name="d")
    assert list(open_lines(Input(str(tmp_path), str(tmp_path), None), info, errs.append)) == []
    assert len(errs) == 1 and str(tmp_path) in errs[0]
    errs.clear()
    assert list(open_lines(Input("gone", str(tmp_path / "gone"), None), info, errs.append)) == []
    assert errs == ["jgview: cannot read 'gone': No such file or directory"]


def test_stdin_binary_and_text_streams():
    info = SourceInfo(name="<stdin>")
    inp = Input("<stdin>", None, None)
    raw = io.BytesIO(gzip.compress(b"a\nb\n"))
    assert list(open_lines(inp, info, lambda m: None, stdin=raw)) == [(1, "a"), (2, "b")]
    txt = io.TextIOWrapper(io.BytesIO(b"x\r\ny\n"), encoding="utf-8")
    assert list(open_lines(inp, SourceInfo(name="s"), lambda m: None, stdin=txt)) == [(1, "x"), (2, "y")]
    assert list(open_lines(inp, SourceInfo(name="s"), lambda m: None, stdin=io.StringIO("p\nq"))) == [
        (1, "p"),
        (2, "q"),
    ]


def test_no_stdin_at_all(monkeypatch):
    monkeypatch.setattr("sys.stdin", None)
    errs: list[str] = []
    assert list(open_lines(Input("<stdin>", None, None), SourceInfo(name="s"), errs.append)) == []
    assert errs == []


def test_many_lines_fast(tmp_path):
    f = tmp_path / "big.log"
    line = (VIEW + "\n").encode()
    f.write_bytes(line * 100_000)
    t0 = time.perf_counter()
    lines, info, _ = read(f)
    assert len(lines) == 100_000 and info.lines == 100_000
    assert time.perf_counter() - t0 < 5
