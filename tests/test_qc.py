"""QC checks: each fires on a fixture made to break it, and the release passes all of them."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from ifnonto import paths
from ifnonto.engines import OxigraphEngine
from ifnonto.qc import qc_checks, run_qc

CHECKS = qc_checks()
EXPECTED_CHECKS = 18


def test_number_of_checks_and_fixtures():
    fixtures = sorted(p.stem for p in (FIXTURES / "qc").glob("*.ttl"))
    assert len(CHECKS) == EXPECTED_CHECKS
    assert fixtures == sorted(c.name for c in CHECKS)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_check_fires_on_its_fixture(check):
    engine = OxigraphEngine([FIXTURES / "qc" / f"{check.name}.ttl"])
    result = engine.select(check.text)
    assert result.rows, f"{check.name} found nothing in its fixture"
    assert result.columns[0] == "entity"


@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
def test_release_passes_every_check(inferred):
    outcomes = run_qc([paths.release_file("nt", inferred=inferred)])
    assert len(outcomes) == EXPECTED_CHECKS - (1 if inferred else 0)  # one check is asserted-only
    failures = {o.check.name: o.result.rows[:5] for o in outcomes if not o.ok}
    assert failures == {}
