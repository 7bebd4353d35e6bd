"""QC checks: each fires on a fixture made to break it, and the release passes all of them."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from ifnonto import paths
from ifnonto.engines import OxigraphEngine
from ifnonto.qc import qc_checks, run_qc

CHECKS = qc_checks()


def test_every_check_file_is_a_check_with_a_fixture():
    files = sorted(p.stem for p in paths.QC_DIR.glob("*.rq"))
    fixtures = sorted(p.stem for p in (FIXTURES / "qc").glob("*.ttl"))
    assert files, "no QC checks found"
    assert all(name.endswith("-violation") for name in files)  # a check not named so would never run
    assert sorted(c.name for c in CHECKS) == files == fixtures


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_check_fires_on_its_fixture(check):
    engine = OxigraphEngine([FIXTURES / "qc" / f"{check.name}.ttl"])
    result = engine.select(check.text)
    assert result.rows, f"{check.name} found nothing in its fixture"
    assert result.columns[0] == "entity"


@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
def test_release_passes_every_check(inferred):
    outcomes = run_qc([paths.release_file("nt", inferred=inferred)])
    expected = [c.name for c in CHECKS if not (inferred and c.asserted_only)]  # some checks are asserted-only
    assert expected and [o.check.name for o in outcomes] == expected
    failures = {o.check.name: o.result.rows[:5] for o in outcomes if not o.ok}
    assert failures == {}
