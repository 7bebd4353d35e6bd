"""Broken curation rows give `file:line: column: problem`, exit code 2, and leave the release untouched."""

from __future__ import annotations

import pytest

from conftest import copy_sources, run_cli


@pytest.fixture()
def project(tmp_path):
    src = copy_sources(tmp_path / "src")
    out = tmp_path / "out"
    done = run_cli("build", "--no-reason", "--source", str(src), "--out", str(out))
    assert done.returncode == 0, done.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(before) == 5
    return src, out, before


def append(path, line):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_count(path):
    return len(path.read_text(encoding="utf-8").splitlines())


CASES = {
    "malformed row": (lambda s: append(s / "sources/mini/facts/mini.tsv", "IFNG\tbindsReceptor\tIFNGR"),
                      "sources/mini/facts/mini.tsv:{n}", "expected 8 tab-separated columns"),
    "unknown type": (lambda s: append(s / "entities/mini.tsv", "IFNX\tInterferonn\tIFN-x\tA made-up IFN.\t\t\t\t"),
                     "entities/mini.tsv:{n}", "type: unknown type 'Interferonn'"),
    "unknown property": (lambda s: append(s / "sources/mini/facts/mini.tsv", "IFNG\tbindsReceptorr\tIFNGR\tifn-signaling\t24\tTAS\t\t"),
                         "sources/mini/facts/mini.tsv:{n}", "property: unknown property 'bindsReceptorr'"),
    "undefined entity": (lambda s: append(s / "sources/mini/facts/mini.tsv", "IFNG\tbindsReceptor\tNOPE\tifn-signaling\t24\tTAS\t\t"),
                         "sources/mini/facts/mini.tsv:{n}", "object: reference to undefined entity 'NOPE'"),
    "duplicate id": (lambda s: append(s / "entities/mini.tsv", "IFNG\tInterferon\tIFN-gamma 2\tAgain.\t\t\t\t"),
                     "entities/mini.tsv:{n}", "duplicate id 'IFNG': already defined at"),
    "bad reference": (lambda s: append(s / "sources/mini/facts/mini.tsv", "IFNG\tbindsReceptor\tIFNGR\tifn-signaling\t300\tTAS\t\t"),
                      "sources/mini/facts/mini.tsv:{n}", "refs: reference number 300 is outside 1..230"),
    "unknown section": (lambda s: append(s / "sources/mini/facts/mini.tsv", "IFNG\tbindsReceptor\tIFNGR\tnowhere\t24\tTAS\t\t"),
                        "sources/mini/facts/mini.tsv:{n}", "section: unknown section 'nowhere'"),
    "bad evidence": (lambda s: append(s / "sources/mini/facts/mini.tsv", "IFNG\tbindsReceptor\tIFNGR\tifn-signaling\t24\tXYZ\t\t"),
                     "sources/mini/facts/mini.tsv:{n}", "evidence: unknown value 'XYZ'"),
    "wrong class in context": (lambda s: append(s / "sources/mini/effects/mini.tsv", "EF-9\tIFNG\tincreases\tapoptosis\t+\tmelanoma"
                               + "\t" * 13 + "cell-death\t113\tTAS\tx."),
                               "sources/mini/effects/mini.tsv:{n}", "steps: 'melanoma' must be a CancerImmunityCycleStep"),
    "malformed xref": (lambda s: append(s / "mappings/mini.sssom.tsv", "ifn:IFNB1\tIFN-β\toboInOwl:hasDbXref\t"
                                        "HGNC:54x34\tIFNB1\tsemapv:ManualMappingCuration\t"),
                        "mappings/mini.sssom.tsv:{n}", "object_id: 'HGNC:54x34': the local part of a HGNC id must match"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_row_is_reported_and_release_kept(project, case):
    src, out, before = project
    breaker, where, message = CASES[case]
    breaker(src)
    table = where.split(":")[0]
    where = where.format(n=line_count(src / table))
    done = run_cli("build", "--no-reason", "--source", str(src), "--out", str(out))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert where in done.stderr and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_unknown_query_and_parameter():
    done = run_cli("query", "no-such-query")
    assert done.returncode == 2 and "unknown query 'no-such-query'" in done.stderr
    done = run_cli("query", "signaling-cascade", "--param", "colour=blue")
    assert done.returncode == 2 and "has no parameter 'colour'" in done.stderr
    done = run_cli("query", "signaling-cascade", "--param", "noequals")
    assert done.returncode == 2 and "name=value" in done.stderr
    done = run_cli("query", "signaling-cascade", "--param", "ifn=IFN G> }")
    # not an IRI, nor an id, label or synonym of an entity: named as such, with the closest entities
    assert done.returncode == 2 and "no entity 'IFN G> }'" in done.stderr and "did you mean IFNG" in done.stderr


def test_usage_error_exits_2():
    assert run_cli("frobnicate").returncode == 2
    assert run_cli("export").returncode == 2


def test_interrupted_build_leaves_the_release_intact(project):
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    src, out, before = project
    # change a source so that a finished build would change the files, then kill the build midway
    with open(src / "entities/mini.tsv", "a", encoding="utf-8") as handle:
        handle.write("IFNX\tInterferon\tIFN-x\tA made-up interferon.\t\t\t\t\t\n")
    process = subprocess.Popen([sys.executable, "-m", "ifnonto", "build", "--source", str(src), "--out", str(out)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # compiling done, reasoning under way
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")} == before
