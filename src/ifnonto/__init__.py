"""ifnonto: build, reason over, validate, query and export the ifn-cancer knowledge graph.

The library API lives in the submodules (``ifnonto.build``, ``ifnonto.reason``, ``ifnonto.validate``,
``ifnonto.queries``, ...); the ``ifnonto`` command in ``ifnonto.cli`` is a thin layer over them.
"""

__all__ = ["__version__"]

from ifnonto.version import __version__
