"""Shared fixtures: the project's folders, the release loaded once, and helpers to run the CLI."""

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


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 600):
    """Run ``python -m ifnonto ARGS`` in a subprocess; return the CompletedProcess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "ifnonto", *args], cwd=cwd or ROOT, env=full_env,
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
