"""Broken curation rows give `file:line: column: problem`, exit code 2, and leave the release untouched."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import copy_sources, run_cli


@pytest.fixture()
def project(tmp_path):
    src = copy_sources(tmp_path / "src")
    out = tmp_path / "out"
    done = run_cli("build", "--no-reason", "--source", str(src), "--out", str(out))
    assert done.returncode == 0, done.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(before) == 5
    return src, out, before


def append(path, line):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_count(path):
    return len(path.read_text(encoding="utf-8").splitlines())


FACTS, ENTITIES = "sources/mini/facts/mini.tsv", "entities/mini.tsv"
EFFECTS, MAPPINGS = "sources/mini/effects/mini.tsv", "mappings/mini.sssom.tsv"

# case -> (the table, the row appended to it, the problem the build must report at that row's line)
CASES = {
    "malformed row": (FACTS, "IFNG\tbindsReceptor\tIFNGR", "expected 8 tab-separated columns"),
    "unknown type": (ENTITIES, "IFNX\tInterferonn\tIFN-x\tA made-up IFN.\t\t\t\t", "type: unknown type 'Interferonn'"),
    "unknown property": (FACTS, "IFNG\tbindsReceptorr\tIFNGR\tifn-signaling\t24\tTAS\t\t",
                         "property: unknown property 'bindsReceptorr'"),
    "undefined entity": (FACTS, "IFNG\tbindsReceptor\tNOPE\tifn-signaling\t24\tTAS\t\t",
                         "object: reference to undefined entity 'NOPE'"),
    "duplicate id": (ENTITIES, "IFNG\tInterferon\tIFN-gamma 2\tAgain.\t\t\t\t", "duplicate id 'IFNG': already defined at"),
    "bad reference": (FACTS, "IFNG\tbindsReceptor\tIFNGR\tifn-signaling\t300\tTAS\t\t",
                      "refs: reference number 300 is outside 1..230"),
    "unknown section": (FACTS, "IFNG\tbindsReceptor\tIFNGR\tnowhere\t24\tTAS\t\t", "section: unknown section 'nowhere'"),
    "bad evidence": (FACTS, "IFNG\tbindsReceptor\tIFNGR\tifn-signaling\t24\tXYZ\t\t", "evidence: unknown value 'XYZ'"),
    "wrong class in context": (EFFECTS, "EF-9\tIFNG\tincreases\tapoptosis\t+\tmelanoma" + "\t" * 13
                               + "cell-death\t113\tTAS\tx.\t\tstated",
                               "steps: 'melanoma' must be a CancerImmunityCycleStep"),
    "malformed xref": (MAPPINGS, "ifn:IFNB1\tIFN-β\toboInOwl:hasDbXref\tHGNC:54x34\tIFNB1\tsemapv:ManualMappingCuration\t",
                       "object_id: 'HGNC:54x34': the local part of a HGNC id must match"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_row_is_reported_and_release_kept(project, case):
    src, out, before = project
    table, row, message = CASES[case]
    append(src / table, row)
    where = f"{table}:{line_count(src / table)}"
    done = run_cli("build", "--no-reason", "--source", str(src), "--out", str(out))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert where in done.stderr and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_unknown_query_and_parameter():
    done = run_cli("query", "no-such-query")
    assert done.returncode == 2 and "unknown query 'no-such-query'" in done.stderr
    done = run_cli("query", "signaling-cascade", "--param", "colour=blue")
    assert done.returncode == 2 and "has no parameter 'colour'" in done.stderr
    done = run_cli("query", "signaling-cascade", "--param", "noequals")
    assert done.returncode == 2 and "name=value" in done.stderr
    done = run_cli("query", "signaling-cascade", "--param", "ifn=IFN G> }")
    # not an IRI, nor an id, label or synonym of an entity: named as such, with the closest entities
    assert done.returncode == 2 and "no entity 'IFN G> }'" in done.stderr and "did you mean IFNG" in done.stderr


def test_usage_error_exits_2():
    assert run_cli("frobnicate").returncode == 2
    assert run_cli("export").returncode == 2


# A build run through this wrapper stops at the n-th call of one function (before the call, or for the staged
# file writer halfway through the file), says so in a file and sleeps there until the test kills it with SIGKILL.
PAUSING_BUILD = r"""
import importlib, os, sys, time
from pathlib import Path
from ifnonto.cli import main

ready, where, nth = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
module_name, _, function = where.partition(":")
module = importlib.import_module(module_name)
original = getattr(module, function)
calls = 0

def pause():
    ready.write_text(str(os.getpid()))
    time.sleep(600)

def pausing(*args, **kwargs):
    global calls
    calls += 1
    if calls == nth:
        if function == "_write_staged":
            path, data, mode = args
            with open(path, "wb") as handle:
                handle.write(data[: len(data) // 2])
        pause()
    return original(*args, **kwargs)

setattr(module, function, pausing)
sys.exit(main(sys.argv[4:]))
"""

# (where the build is killed, the n-th call, which release set the next command must find)
KILL_POINTS = {
    "half-way through writing the third staged file": ("ifnonto.atomic:_write_staged", 3, "old"),
    "before the commit marker is renamed": ("os:replace", 1, "old"),
    "after the commit, before the first rename": ("os:replace", 2, "new"),
    "in the middle of the renames": ("os:replace", 4, "new"),
    "before the last rename": ("os:replace", 6, "new"),
    "while removing the staging folder": ("shutil:rmtree", 1, "new"),
}


def snapshot(folder):
    """Every entry of a release folder: file bytes, or a marker for a folder (a leftover staging folder)."""
    return {p.name: "<folder>" if p.is_dir() else p.read_bytes() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def release_sets(tmp_path_factory):
    """Sources with one more entity than the old release set, the old set, and the new set they build."""
    base = tmp_path_factory.mktemp("interrupted")
    src = copy_sources(base / "src")
    old = base / "old"
    assert run_cli("build", "--no-reason", "--source", str(src), "--out", str(old)).returncode == 0
    append(src / "entities/mini.tsv", "IFNX\tInterferon\tIFN-x\tA made-up interferon.\t\t\t\t")
    new = base / "new"
    assert run_cli("build", "--no-reason", "--source", str(src), "--out", str(new)).returncode == 0
    old_set, new_set = snapshot(old), snapshot(new)
    assert len(old_set) == len(new_set) == 5
    assert sorted(name for name in old_set if old_set[name] != new_set[name]) == \
        ["ifn-cancer.jsonld", "ifn-cancer.nt", "ifn-cancer.owl", "ifn-cancer.ttl"]
    return src, old_set, new_set


def _wait_for(condition, process, what, timeout=120.0):
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the build ended (exit {process.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_build_killed_at_any_point_leaves_one_whole_release_set(tmp_path, release_sets, point):
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    src, old_set, new_set = release_sets
    where, nth, expected = KILL_POINTS[point]
    out = tmp_path / "out"
    out.mkdir()
    for name, data in old_set.items():
        (out / name).write_bytes(data)
    ready = tmp_path / "ready"
    process = subprocess.Popen([sys.executable, "-c", PAUSING_BUILD, str(ready), where, str(nth),
                                "build", "--no-reason", "--source", str(src), "--out", str(out)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(ready.exists, process, f"the build reached {where} #{nth}")
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL  # really interrupted, not finished
    finally:
        process.kill()
        process.stderr.close()
    left = snapshot(out)
    assert left[".release-staging"] == "<folder>"
    if point == "in the middle of the renames":  # the kill really left a mixed set on disk ...
        on_disk = {name: data for name, data in left.items() if name in new_set}
        assert on_disk != old_set and on_disk != new_set
    done = run_cli("build", "--check", "--no-reason", "--source", str(src), "--out", str(out))  # ... repaired here
    assert "interrupted" in done.stderr, done.stderr
    assert done.returncode == (0 if expected == "new" else 1), done.stdout + done.stderr
    assert snapshot(out) == (new_set if expected == "new" else old_set)  # whole, and no leftovers


def test_build_killed_while_reasoning_keeps_the_old_release(tmp_path, release_sets):
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    if shutil.which("java") is None:
        pytest.skip("Java runtime not installed")
    src, old_set, _new_set = release_sets
    out = tmp_path / "out"
    out.mkdir()
    for name, data in old_set.items():
        (out / name).write_bytes(data)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    # a "java" that never finishes: the build is surely killed mid-reasoning, and its child would live on
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "java").write_text("#!/bin/sh\nexec sleep 300\n")
    (shim / "java").chmod(0o755)
    env = {**os.environ, "TMPDIR": str(private_tmp), "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.Popen([sys.executable, "-m", "ifnonto", "build", "--source", str(src), "--out", str(out)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    java = []
    try:
        _wait_for(lambda: any(private_tmp.glob("ifnonto-reason-*")), process, "the reasoner started")
        _wait_for(lambda: _children(process.pid), process, "the reasoner's Java process started")
        java = _children(process.pid)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL
        # the Java child dies with the build (parent-death signal), rather than reasoning on after it
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in java) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert java and not any(_alive(pid) for pid in java)
    finally:
        process.kill()
        for pid in java:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert snapshot(out) == old_set
    assert list(private_tmp.glob("ifnonto-reason-*"))  # the killed build's temp folder is left behind ...
    done = run_cli("build", "--check", "--no-reason", "--source", str(src), "--out", str(out),
                   env={"TMPDIR": str(private_tmp)})
    assert done.returncode == 1 and "stale" in done.stdout  # the old set, whole: the sources have changed since
    assert snapshot(out) == old_set
    assert list(private_tmp.iterdir()) == []  # ... and removed by the next command


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="the parent-death signal is Linux's")
def test_java_child_whose_parent_died_before_the_signal_was_armed_stops():
    """The kill above can land between the fork and the line that arms the parent-death signal (it did once):
    the child then finds that its parent is no longer the process that started it, and stops."""
    import multiprocessing

    from ifnonto.reason import _die_with_parent

    context = multiprocessing.get_context("fork")
    for started_by, expected in ((os.getpid(), 0), (os.getpid() + 10**6, 1)):  # the real parent, then a dead one
        child = context.Process(target=_die_with_parent, args=(started_by,))
        child.start()
        child.join(30)
        assert child.exitcode == expected, started_by


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its (new) parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found
