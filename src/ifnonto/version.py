"""The one version of the package and the ontology, read from pyproject.toml or the installed metadata."""

from __future__ import annotations

import re
from pathlib import Path


def _read_version() -> str:
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.is_file():
        match = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M)
        if match:
            return match.group(1)
    from importlib.metadata import version

    return version("ifnonto")


__version__ = _read_version()
