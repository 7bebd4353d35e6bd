"""OWL 2 DL profile check with the OWL API (a small Java checker in java/, compiled by the test), and agreement
of a second DL reasoner (Pellet) with HermiT on every defined class."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

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


@pytest.fixture(scope="module")
def release_check(checker):
    """One OWL API run over both RDF/XML release files: its report line for each file."""
    files = [paths.release_file("owl", inferred=inferred) for inferred in (False, True)]
    done = checker(*files)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    lines = {line.split(": ", 1)[0]: line for line in done.stdout.splitlines() if not line.startswith(" ")}
    return {inferred: lines[str(path)] for inferred, path in zip((False, True), files)}


@needs_owlapi
@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
def test_release_is_owl2_dl(release_check, asserted_graph, inferred_graph, inferred):
    line = release_check[inferred]
    assert "format=RDF/XML" in line and "violations=0" in line
    graph = inferred_graph if inferred else asserted_graph
    declared = {s for s in graph.subjects(RDF.type, OWL.NamedIndividual) if isinstance(s, URIRef)}
    individuals = int(line.split("individuals=")[1].split()[0])
    assert declared and individuals == len(declared)  # the OWL API read every individual of the release


@needs_owlapi
def test_checker_reports_violations(checker):
    done = checker(FIXTURES / "owl" / "not-dl.ttl")
    assert done.returncode == 1
    assert "IllegalPunning" in done.stdout or "UseOfUndeclared" in done.stdout


def defined_classes(graph: Graph) -> set[URIRef]:
    """The classes the reasoner fills: those with an equivalent class expression, read from the ontology."""
    return {s for s in graph.subjects(OWL.equivalentClass) if isinstance(s, URIRef)}


def _defined_class_members(graph: Graph, defined: set[URIRef]) -> set[tuple[str, str]]:
    return {(str(s), str(o)) for s, o in graph.subject_objects(RDF.type) if o in defined}


def test_pellet_agrees_with_hermit(asserted_graph, inferred_graph, hermit_result, pellet_result):
    defined = defined_classes(asserted_graph)
    assert defined
    assert hermit_result.consistent and pellet_result.consistent
    assert pellet_result.unsatisfiable == hermit_result.unsatisfiable == []
    h = _defined_class_members(hermit_result.inferred, defined)
    p = _defined_class_members(pellet_result.inferred, defined)
    assert h and h == p
    # the inferred release carries every inferred member, and every defined class has members there
    released = _defined_class_members(inferred_graph, defined)
    assert h <= released and {cls for _, cls in released} == {str(c) for c in defined}
