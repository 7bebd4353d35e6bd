"""Every cross-reference is checked against the offline authoritative term tables with `lookup --check`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from ifnonto import paths
from ifnonto.tables import read_folder

TERMS = Path(os.environ.get("IFN_TERMS_DIR", ROOT.parent / "shared" / "terms"))
LOOKUP = TERMS / "lookup"


def test_xref_table_is_complete():
    rows = read_folder(paths.SOURCE_DIR / "xrefs", "xrefs")
    assert len(rows) > 500
    prefixes = {row["id"].split(":")[0] for row in rows}
    assert {"HGNC", "NCBIGene", "UniProt", "CL", "GO", "MONDO", "NCIT", "CHEBI", "NCBITaxon"} <= prefixes


@pytest.mark.skipif(not LOOKUP.is_file(), reason=f"offline term tables not found at {TERMS} (set IFN_TERMS_DIR)")
def test_every_xref_passes_lookup_check(tmp_path):
    rows = read_folder(paths.SOURCE_DIR / "xrefs", "xrefs")
    table = tmp_path / "xrefs.tsv"
    table.write_text("entity\tid\tlabel\n" + "".join(f"{r['entity']}\t{r['id']}\t{r['label']}\n" for r in rows),
                     encoding="utf-8")
    done = subprocess.run([sys.executable, str(LOOKUP), "--check", str(table), "--ignore-unsupported"],
                          capture_output=True, text=True, timeout=600)
    bad = [line for line in done.stdout.splitlines()[1:]
           if line.split("\t")[3:4] and line.split("\t")[3] not in ("OK", "UNSUPPORTED-PREFIX")]
    assert bad == [], "\n".join(bad[:30])
    assert done.returncode == 0, done.stderr[-2000:]


def test_unsupported_prefixes_are_only_the_verified_ones():
    rows = read_folder(paths.SOURCE_DIR / "xrefs", "xrefs")
    taxa = {row["id"] for row in rows if row["id"].startswith("NCBITaxon:")}
    assert taxa <= {"NCBITaxon:9606", "NCBITaxon:10090", "NCBITaxon:9031", "NCBITaxon:9539"}
