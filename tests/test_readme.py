"""Every command of the README's shell blocks runs and does what its comment says.

Each command line (and the Python example) is executed as written, in a scratch folder that holds the README's
example files, with `ifnonto` from this environment. The triplestore examples run against an Oxigraph server and
a Virtuoso server that the test starts on loopback ports (the README's host:port is replaced by theirs). Every
command must have an expectation below, so a new README example cannot go untested.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, console_env, requires_java
from servers import free_port, start_oxigraph, wait_for

README = ROOT / "README.md"

# command (as written in the README, without its comment) -> (exit code, texts its output must contain)
EXPECT: dict[str, tuple[int, list[str]]] = {
    "ifnonto queries": (0, ["signaling-cascade", "entity-profile"]),
    "ifnonto queries entity-profile": (0, ["entity  (type iri; default IFNG)", "for example: IFNG, CD274"]),
    "ifnonto query signaling-cascade --param ifn=IFNG": (0, ["IFN-γ receptor", "JAK2", "STAT1", "rows)"]),
    "ifnonto query entity-profile --param entity=PD-L1": (0, ["ifn:CD274", "rows)"]),
    "ifnonto query studies-by-cancer --param cancer=melanoma --param cancer=GBM":
        (0, ["ifn:melanoma", "ifn:glioblastoma", "rows)"]),
    "ifnonto query type-step-matrix --format csv": (0, ["type,stepNumber,step,positive,negative", "type I IFNs,1,"]),
    "ifnonto prefixes": (0, ["ifn:", "https://w3id.org/ifn-cancer/"]),
    "ifnonto sparql 'SELECT ?ifn ?label WHERE { ?ifn a ifn:TypeIIInterferon ; rdfs:label ?label }'":
        (0, ["ifn:IFNG", "IFN-γ", "(1 row)"]),
    "ifnonto sparql 'DESCRIBE ifn:IFNG'": (0, ["@prefix ifn: <https://w3id.org/ifn-cancer/> .", "ifn:IFNG"]),
    "ifnonto sparql queries/cycle-steps.rq --format json": (0, ['"bindings"', '"type": "uri"']),
    "ifnonto info": (0, ["== What the release is", "cycle step"]),
    "ifnonto validate examples/my-additions.ttl":
        (1, ["ifn:inducedby is not a property of the ontology; did you mean ifn:inducedBy",
             "ifn:GeneProdcut is not a class of the ontology; did you mean ifn:GeneProduct"]),
    "ifnonto reason examples/extension.ttl": (0, ["consistent", "inferred triples"]),
    "ifnonto export --format jsonld --inferred -o ifn-cancer-inferred-copy.jsonld":
        (0, ["wrote ifn-cancer-inferred-copy.jsonld"]),
    "ifnonto reason --reasoner pellet": (0, ["consistent"]),
    "ifnonto serve --port 7879": (0, []),  # started, queried over HTTP, stopped: see _serve
    "ifnonto build": (0, ["built", "release files"]),
    "ifnonto check": (0, ["all checks passed"]),
    "ifnonto docs -o site": (0, ["built the documentation site", "pages"]),
    "ifnonto load --endpoint http://localhost:7878/query --inferred": (0, ["loaded the inferred release"]),
    "ifnonto load --endpoint http://localhost:8890/sparql-auth --user dba --password dba --inferred":
        (0, ["loaded the inferred release"]),
    "ifnonto query type-step-matrix --endpoint http://localhost:7878/query --graph "
    "https://w3id.org/ifn-cancer/ifn-cancer.owl": (0, ["type III IFNs", "interferons in general", "(28 rows)"]),
}
# Blocks that set up a machine: they run this test suite, so they are not run from inside it.
NOT_RUN = {
    "make demo": "runs scripts/setup.sh and `ifnonto demo` (build, QC, SHACL, queries), each tested here",
    "make test": "runs this very test suite",
    "make docs": "runs scripts/setup.sh --docs and `ifnonto docs -o site`, tested here as `ifnonto docs -o site`",
}


def readme_blocks() -> list[tuple[str, str]]:
    """(language, text) of every fenced block of the README."""
    return re.findall(r"```(\w*)\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def readme_commands() -> list[str]:
    commands = []
    for language, text in readme_blocks():
        if language != "sh":
            continue
        for line in text.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def test_every_readme_command_has_an_expectation():
    commands = readme_commands()
    assert len(commands) >= 20
    assert [c for c in commands if c not in EXPECT and c not in NOT_RUN] == []
    assert sorted(set(EXPECT) | set(NOT_RUN)) == sorted(set(commands)), "an expectation for a removed example"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("readme")
    for name in ("examples", "queries"):
        (folder / name).symlink_to(ROOT / name)
    return folder


def _run(command: str, cwd: Path, timeout: float = 1200) -> subprocess.CompletedProcess:
    return subprocess.run(shlex.split(command), cwd=cwd, env=console_env(), capture_output=True, text=True,
                          timeout=timeout)


def _check(command: str, done: subprocess.CompletedProcess) -> None:
    code, texts = EXPECT[command]
    assert done.returncode == code, (command, done.stdout[-2000:], done.stderr[-2000:])
    for text in texts:
        assert text in done.stdout, (command, text, done.stdout[-3000:])


LOCAL = [c for c in EXPECT if "localhost" not in c and c != "ifnonto serve --port 7879"]
NEEDS_JAVA = {"ifnonto reason examples/extension.ttl", "ifnonto reason --reasoner pellet", "ifnonto build",
              "ifnonto check"}


@pytest.mark.parametrize("command", LOCAL)
def test_readme_command(command, workdir, request):
    if command in NEEDS_JAVA and shutil.which("java") is None:
        pytest.skip("needs a Java runtime")
    if command == "ifnonto check":  # the gate's one run in this test run, shared with test_release
        done = subprocess.CompletedProcess(command, *request.getfixturevalue("check_command_run"))
    else:
        done = _run(command, workdir)
    _check(command, done)
    if "export" in command:
        written = workdir / "ifn-cancer-inferred-copy.jsonld"
        from ifnonto import paths

        assert written.read_bytes() == paths.release_file("jsonld", inferred=True).read_bytes()


def test_readme_serve(workdir):
    port = free_port()
    command = "ifnonto serve --port 7879".replace("7879", str(port))
    process = subprocess.Popen(shlex.split(command), cwd=workdir, env=console_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        wait_for(url + "?query=" + urllib.parse.quote("ASK {}"), seconds=120)
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        request = urllib.request.Request(url + "?query=" + urllib.parse.quote(query),
                                         headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            count = int(json.load(response)["results"]["bindings"][0]["n"]["value"])
        assert count > 10000  # the inferred release, read-only, on loopback
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    from servers import oxigraph_binary

    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server binary is not installed (pip package `oxigraph`)")
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


def test_readme_oxigraph_examples(oxigraph_server, workdir):
    base = oxigraph_server.query.rsplit("/", 1)[0]
    for command in ("ifnonto load --endpoint http://localhost:7878/query --inferred",
                    "ifnonto query type-step-matrix --endpoint http://localhost:7878/query --graph "
                    "https://w3id.org/ifn-cancer/ifn-cancer.owl"):
        done = _run(command.replace("http://localhost:7878", base), workdir)
        _check(command, done)


@requires_java
def test_readme_virtuoso_example(tmp_path, workdir):
    from servers import start_virtuoso

    if shutil.which("virtuoso-t") is None:
        pytest.skip("Virtuoso (Debian virtuoso-opensource) is not installed; scripts/setup.sh --test installs it")
    server = start_virtuoso(tmp_path)
    try:
        base = server.query.rsplit("/", 1)[0]
        command = "ifnonto load --endpoint http://localhost:8890/sparql-auth --user dba --password dba --inferred"
        done = _run(command.replace("http://localhost:8890", base), workdir)
        _check(command, done)
    finally:
        server.stop()


def test_readme_python_example():
    (code,) = [text for language, text in readme_blocks() if language == "python"]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    columns, rows = done.stdout.split("] [", 1)
    assert "member" in columns and "IFNL1" in rows
