"""Every cross-reference (the SSSOM mapping table) is checked against the offline term tables with `lookup --check`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from ifnonto import paths
from ifnonto.mappings import read_mapping_sets


def _terms_dir() -> Path:
    """The offline term tables: $IFN_TERMS_DIR, else `../shared/terms` beside the checkout (as on CI)."""
    if os.environ.get("IFN_TERMS_DIR"):
        return Path(os.environ["IFN_TERMS_DIR"])
    for base in (ROOT, *ROOT.parents):
        candidate = base.parent / "shared" / "terms"
        if (candidate / "lookup").is_file():
            return candidate
    return ROOT.parent / "shared" / "terms"


TERMS = _terms_dir()
LOOKUP = TERMS / "lookup"


def mapping_rows():
    return [row for mapping_set in read_mapping_sets(paths.SOURCE_DIR / "mappings") for row in mapping_set.rows]


def test_xref_table_is_complete():
    rows = mapping_rows()
    assert len(rows) > 500
    prefixes = {row["object_id"].split(":")[0] for row in rows}
    assert {"HGNC", "NCBIGene", "UniProt", "CL", "GO", "MONDO", "NCIT", "CHEBI", "NCBITaxon"} <= prefixes


@pytest.mark.skipif(not LOOKUP.is_file(), reason=f"offline term tables not found at {TERMS} (set IFN_TERMS_DIR)")
def test_every_xref_passes_lookup_check(tmp_path):
    rows = mapping_rows()
    table = tmp_path / "xrefs.tsv"
    table.write_text("entity\tid\tlabel\n" + "".join(f"{r['subject_id'][4:]}\t{r['object_id']}\t{r['object_label']}\n"
                                                      for r in rows), encoding="utf-8")
    done = subprocess.run([sys.executable, str(LOOKUP), "--check", str(table), "--ignore-unsupported"],
                          capture_output=True, text=True, timeout=600)
    bad = [line for line in done.stdout.splitlines()[1:]
           if line.split("\t")[3:4] and line.split("\t")[3] not in ("OK", "UNSUPPORTED-PREFIX")]
    assert bad == [], "\n".join(bad[:30])
    assert done.returncode == 0, done.stderr[-2000:]


def test_unsupported_prefixes_are_only_the_verified_ones():
    rows = mapping_rows()
    taxa = {row["object_id"] for row in rows if row["object_id"].startswith("NCBITaxon:")}
    assert taxa <= {"NCBITaxon:9606", "NCBITaxon:10090", "NCBITaxon:9031", "NCBITaxon:9539"}
