"""Root files and header that people and tools expect: LICENSE, CITATION.cff (valid CFF 1.2), CHANGELOG.md
(Keep a Changelog), one content licence stated consistently, creator and contributor in the header, and a label
for every ECO code and annotation property used in the release."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import ROOT

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def test_license_file_is_mit_for_the_code_and_names_the_content_licence():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Permission is hereby granted" in text
    assert CC_BY in text


def test_content_licence_is_the_same_in_header_pyproject_readme_and_citation(engine):
    rows = engine.select("SELECT ?l WHERE { <https://w3id.org/ifn-cancer/ifn-cancer.owl> "
                         "<http://purl.org/dc/terms/license> ?l }").rows
    assert rows == [[CC_BY]]
    assert "CC-BY-4.0" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "**CC BY 4.0**" in readme and "CC BY-NC 4.0" in readme   # the decision and what it departs from
    assert re.search(r"^license: CC-BY-4\.0$", (ROOT / "CITATION.cff").read_text(encoding="utf-8"), re.M)


def test_header_has_creator_and_contributor(engine):
    for term in ("creator", "contributor"):
        rows = engine.select(f"SELECT ?v WHERE {{ <https://w3id.org/ifn-cancer/ifn-cancer.owl> "
                             f"<http://purl.org/dc/terms/{term}> ?v }}").rows
        assert len(rows) == 1 and rows[0][0].strip(), term


def test_every_eco_code_and_annotation_property_used_has_a_label(engine):
    unlabelled_eco = engine.select("""
        SELECT DISTINCT ?code WHERE { ?s ?p ?code . FILTER(isIRI(?code))
          FILTER(STRSTARTS(STR(?code), "http://purl.obolibrary.org/obo/ECO_"))
          FILTER NOT EXISTS { ?code <http://www.w3.org/2000/01/rdf-schema#label> ?l } }""").rows
    used_eco = engine.select("""SELECT (COUNT(DISTINCT ?code) AS ?n) WHERE { ?s ?p ?code . FILTER(isIRI(?code))
          FILTER(STRSTARTS(STR(?code), "http://purl.obolibrary.org/obo/ECO_")) }""").rows[0][0]
    assert int(used_eco) >= 3 and unlabelled_eco == []
    unlabelled = engine.select("""
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT DISTINCT ?p WHERE { ?p a owl:AnnotationProperty .
          FILTER NOT EXISTS { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l } }""").rows
    assert unlabelled == []
    # every predicate of an annotation on a fact, or of the header, is a declared and labelled annotation property
    undeclared = engine.select("""
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT DISTINCT ?p WHERE { { ?a a owl:Axiom ; ?p ?v } UNION { ?o a owl:Ontology ; ?p ?v }
          FILTER(?p NOT IN (<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>, owl:annotatedSource,
                            owl:annotatedProperty, owl:annotatedTarget, owl:versionIRI, owl:versionInfo,
                            <http://www.w3.org/2000/01/rdf-schema#comment>, <http://www.w3.org/2000/01/rdf-schema#label>))
          FILTER NOT EXISTS { ?p a owl:AnnotationProperty ; <http://www.w3.org/2000/01/rdf-schema#label> ?l } }""").rows
    assert undeclared == []


def test_changelog_follows_keep_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog") and "Keep a Changelog" in text
    assert "## [Unreleased]" in text
    versions = re.findall(r"^## \[([^\]]+)\]", text, re.M)
    assert versions[0] == "Unreleased" and len(versions) >= 2
    for version in versions:
        assert re.search(rf"^\[{re.escape(version)}\]: ", text, re.M), f"no link for {version}"
    for heading in re.findall(r"^### (.+)$", text, re.M):
        assert heading in ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"), heading


def test_citation_cff_is_valid_and_cites_resource_and_review(tmp_path):
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "cff-version: 1.2.0" in text and "doi: 10.1080/2162402X.2021.1929005" in text
    assert "ifn-cancer" in text
    cffconvert = shutil.which("cffconvert") or str(ROOT / ".venv" / "bin" / "cffconvert")
    if not shutil.which(cffconvert):
        pytest.skip("cffconvert not installed (pip install -e '.[test]')")
    done = subprocess.run([cffconvert, "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "CITATION.cff"
    broken.write_text(text.replace("type: dataset", "type: nonsense"), encoding="utf-8")
    bad = subprocess.run([cffconvert, "--validate", "-i", str(broken)], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0   # the validator does reject an invalid file
