"""Writes: files follow the umask, `export -o` refuses what it must not replace, bad --timeout values are one
line, the rdflib engine stops on --timeout and Ctrl-C, and a build that cannot write says so in one line."""

from __future__ import annotations

import os
from pathlib import Path
import signal
import stat
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_cli
from ifnonto import paths
from ifnonto.atomic import write_all, write_text


def test_written_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "a.txt", "x")
        write_all({tmp_path / "b.txt": "y", tmp_path / "c.txt": "z"})
        assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()} == \
            {"a.txt": 0o644, "b.txt": 0o644, "c.txt": 0o644}
        os.umask(0o027)
        write_text(tmp_path / "a.txt", "x")
        assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_export_writes_a_0644_copy(tmp_path):
    target = tmp_path / "out.ttl"
    done = run_cli("export", "--format", "ttl", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_bytes() == paths.release_file("ttl").read_bytes()


def _fifo(tmp_path):
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


def _device_link(tmp_path):
    path = tmp_path / "null-link"
    path.symlink_to("/dev/null")
    return path


@pytest.mark.parametrize("make, message", [
    (lambda tmp: "/dev/null", "not a regular file"),
    (_fifo, "not a regular file"),
    (_device_link, "symbolic link"),
    (lambda tmp: tmp, "is a directory"),
    (lambda tmp: tmp / "missing-folder" / "out.ttl", "folder does not exist"),
    (lambda tmp: paths.release_file("ttl"), "release folder"),
    (lambda tmp: paths.ONTOLOGY_DIR / "new-file.ttl", "release folder"),
])
def test_export_refuses_targets_it_must_not_replace(tmp_path, make, message):
    target = make(tmp_path)
    before = os.lstat(target) if os.path.lexists(target) else None
    release = paths.release_file("ttl").read_bytes()
    done = run_cli("export", "--format", "ttl", "-o", str(target))
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert len(done.stderr.splitlines()) == 1
    if before is not None:
        after = os.lstat(target)
        assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert paths.release_file("ttl").read_bytes() == release
    assert not (paths.ONTOLOGY_DIR / "new-file.ttl").exists()


@pytest.mark.parametrize("value", ["inf", "nan", "1e300", "-1", "0", "soon"])
def test_bad_timeouts_are_one_line_errors(value):
    for command in (("sparql", "ASK {}"), ("query", "cycle-steps"), ("load", "--endpoint", "http://127.0.0.1:9/q")):
        done = run_cli(*command, "--timeout", value)
        assert done.returncode == 2 and "--timeout" in done.stderr, done.stderr
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


CATASTROPHIC = ('SELECT ?m WHERE { BIND("' + "a" * 40 + '!" AS ?s) '
                'BIND(REGEX(?s, "^(a+)+$") AS ?m) }')


def test_rdflib_engine_honours_the_timeout(tmp_path):
    from ifnonto.engines import RdflibEngine
    from ifnonto.errors import IfnontoError

    data = tmp_path / "one.ttl"
    data.write_text("<https://example.org/a> <https://example.org/p> 1 .\n")
    engine = RdflibEngine([data])
    assert engine.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=60).rows == [["1"]]
    start = time.monotonic()
    with pytest.raises(IfnontoError, match="did not finish within 2 s"):
        engine.select(CATASTROPHIC, timeout=2)
    assert time.monotonic() - start < 30  # returned (the child was killed), not stuck in the regex


def test_rdflib_engine_stops_on_ctrl_c():
    process = subprocess.Popen([sys.executable, "-m", "ifnonto", "sparql", CATASTROPHIC, "--engine", "rdflib"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    time.sleep(8)  # loading the release and starting the query
    assert process.poll() is None, process.communicate()
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground process group
    try:
        _out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the rdflib query ignored Ctrl-C")
    assert process.returncode == 130 and "interrupted" in err


def test_build_into_a_read_only_folder_is_one_line(tmp_path, monkeypatch, capsys):
    import tempfile

    from ifnonto import cli

    out = tmp_path / "release"
    out.mkdir()
    out.chmod(0o555)
    if os.geteuid() == 0:  # root writes anywhere: make the temp file fail as it fails for a user
        def refuse(*_args, dir=None, **_kw):  # noqa: A002 - mkstemp's own keyword
            raise PermissionError(13, "Permission denied", str(dir))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
        real_mkdir = Path.mkdir

        def refuse_inside(self, *args, **kw):  # the release set is staged in a folder inside ``out``
            if str(self).startswith(str(out)):
                raise PermissionError(13, "Permission denied", str(self))
            return real_mkdir(self, *args, **kw)

        monkeypatch.setattr(Path, "mkdir", refuse_inside)
    code = cli.main(["build", "--no-reason", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "Permission denied" in err and str(out) in err, err
    assert len(err.splitlines()) == 1 and list(out.iterdir()) == []


def test_java_stack_overflow_is_bad_input_not_missing_java():
    from ifnonto.errors import EXIT_BAD_INPUT, EXIT_MISSING_TOOL
    from ifnonto.reason import java_failure

    error = java_failure("hermit", "Exception in thread main java.lang.StackOverflowError\n\tat org.semanticweb")
    assert error.exit_code == EXIT_BAD_INPUT and "nested too deeply" in str(error)
    assert java_failure("pellet", "UnsupportedClassVersionError").exit_code == EXIT_MISSING_TOOL


def test_rdflib_engine_refuses_from_named_and_reports_syntax_errors(tmp_path):
    from ifnonto.engines import RdflibEngine
    from ifnonto.errors import IfnontoError

    data = tmp_path / "one.ttl"
    data.write_text("<https://example.org/a> <https://example.org/p> 1 .\n")
    engine = RdflibEngine([data])
    with pytest.raises(IfnontoError, match="FROM and FROM NAMED are not supported"):
        engine.run("SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }")
    with pytest.raises(IfnontoError, match="SPARQL syntax error at line 1"):
        engine.run("SELECT * WHERE { ?s ?p }")
    assert len(engine.run("CONSTRUCT WHERE { ?s ?p ?o }")) == 1
