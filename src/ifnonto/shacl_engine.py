"""SHACL engine of our own (shapes as SPARQL on pyoxigraph): pySHACL took 3 min and 3.8 GB on 1M triples.

Measured in benchmarks/validate_bench.py. pySHACL (kept as the reference in the tests) re-parses every SPARQL
constraint once per focus node (about two thirds of its time) and holds the data in rdflib; pyrudof aborts on
SPARQL constraints whose focus nodes are blank nodes (every owl:Axiom here) and held 13 GB at 100x.

How: the focus nodes of every shape are written once into a private named graph; the core constraints of a
shape become a few set-at-a-time queries over all of them; a SPARQL constraint runs once for all focus nodes
when the focus pattern can be joined into its top-level group without changing its meaning (``_batch_safe``),
and once per focus node with ``$this`` pre-bound otherwise, as the SHACL specification defines it. sh:node,
sh:not, sh:and, sh:or and sh:xone validate the value nodes against the other shapes the same way. Shapes that use
a feature this engine does not translate (qualified value shapes, property pairs such as sh:equals) are handed,
alone, to pySHACL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ifnonto import paths
from ifnonto.errors import IfnontoError

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_PRIVATE = "urn:x-ifnonto-validation:"
FOCUS_GRAPH = ox.NamedNode(_PRIVATE + "focus")
EXTENSION_GRAPH = ox.NamedNode(_PRIVATE + "extension")
FOCUS_OF = ox.NamedNode(_PRIVATE + "focusOf")


def sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = (ox.NamedNode(RDF + n) for n in ("type", "first", "rest", "nil"))
RDFS_CLASS = ox.NamedNode(RDFS + "Class")

# Constraint parameters translated below; a shape using any other sh: predicate goes to pySHACL.
_VALUE_PARAMS = {"class", "datatype", "nodeKind", "in", "pattern", "flags", "minLength", "maxLength",
                 "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "languageIn"}
_COUNT_PARAMS = {"minCount", "maxCount", "hasValue", "uniqueLang"}
_LOGICAL_PARAMS = {"node", "not", "and", "or", "xone"}  # value nodes checked against other shapes
_MAX_SHAPE_DEPTH = 32
_SHAPE_PARAMS = {"targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "path", "sparql",
                 "message", "severity", "deactivated", "name", "description", "order", "group", "defaultValue",
                 "closed", "ignoredProperties"}
_IGNORED_NAMESPACES = (RDFS, "http://www.w3.org/2002/07/owl#")
_NODE_KINDS = {"IRI": "isIRI(?value)", "BlankNode": "isBlank(?value)", "Literal": "isLiteral(?value)",
               "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
               "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
               "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))"}
# Datatypes whose lexical forms SPARQL can check by casting (an ill-typed literal fails sh:datatype).
_CASTABLE = {XSD + n for n in ("integer", "decimal", "double", "float", "boolean", "dateTime", "string")}


@dataclass(frozen=True)
class Result:
    focus: object
    path: str
    value: object
    message: str
    shape: str
    severity: str

    def strings(self) -> tuple[str, str, str, str, str, str]:
        """focus, path, value, message, shape, severity as text (blank nodes by their label)."""
        return (_lexical(self.focus), self.path, _lexical(self.value), self.message, self.shape, self.severity)


@dataclass
class Shape:
    node: object  # NamedNode or BlankNode in the shapes store
    name: str  # what findings report as the shape
    key: ox.NamedNode  # marks its focus nodes in FOCUS_GRAPH
    path: str | None = None  # SPARQL property path of a property shape
    path_label: str = ""
    parent: "Shape | None" = None
    severity: str = "Violation"
    message: str | None = None
    constraints: list = field(default_factory=list)  # (parameter name, value(s))
    sparql: list = field(default_factory=list)  # SparqlConstraint
    properties: list = field(default_factory=list)
    unsupported: list = field(default_factory=list)
    focus_values: str | None = None  # focus nodes listed in the query (literals, which cannot be subjects)


@dataclass
class SparqlConstraint:
    node: object
    name: str
    select: str
    message: str | None


class ShapesGraph:
    """The shapes, read with pyoxigraph (small), with helpers for lists and single values."""

    def __init__(self, files: list[Path]):
        self.store = ox.Store()
        for path in files:
            self.store.load(path=str(path), format=ox.RdfFormat.TURTLE)

    def objects(self, subject, predicate) -> list:
        return [q.object for q in self.store.quads_for_pattern(subject, predicate, None)]

    def value(self, subject, predicate):
        values = self.objects(subject, predicate)
        return values[0] if values else None

    def subjects(self, predicate, obj) -> list:
        return [q.subject for q in self.store.quads_for_pattern(None, predicate, obj)]

    def predicates(self, subject) -> set[str]:
        return {q.predicate.value for q in self.store.quads_for_pattern(subject, None, None)}

    def items(self, head) -> list:
        items, seen = [], set()
        while head is not None and head != RDF_NIL and head not in seen:  # a cyclic list ends at the cycle
            seen.add(head)
            items.append(self.value(head, RDF_FIRST))
            head = self.value(head, RDF_REST)
        return items


def _shape_id(node) -> str:
    return node.value if isinstance(node, ox.NamedNode) else str(node)


def default_shape_files() -> list[Path]:
    return sorted(paths.SHAPES_DIR.glob("*.ttl"))


class Program:
    """The shapes compiled once: node shapes with their property shapes, constraints and SPARQL texts."""

    def __init__(self, files: list[Path] | None = None):
        self.files = files if files is not None else default_shape_files()
        self.graph = ShapesGraph(self.files)
        self.shapes: list[Shape] = []
        self._counter = 0
        g = self.graph
        roots = set(g.subjects(RDF_TYPE, sh("NodeShape")))
        for param in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            roots.update(q.subject for q in g.store.quads_for_pattern(None, sh(param), None))
        roots.update(s for s in g.subjects(RDF_TYPE, sh("PropertyShape")) if g.objects(s, sh("targetClass")))
        for node in sorted(roots, key=str):
            if g.value(node, sh("deactivated")) == ox.Literal(True):
                continue
            self.shapes.append(self._shape(node, None))

    def _key(self) -> ox.NamedNode:
        self._counter += 1
        return ox.NamedNode(f"{_PRIVATE}shape{self._counter}")

    def _shape(self, node, parent: Shape | None) -> Shape:
        g = self.graph
        name = node.value if isinstance(node, ox.NamedNode) else (parent.name if parent else str(node))
        shape = Shape(node=node, name=name, key=self._key(), parent=parent)
        severity = g.value(node, sh("severity"))
        if severity is not None:
            shape.severity = severity.value.rsplit("#", 1)[-1]
        message = g.value(node, sh("message"))
        shape.message = message.value if message is not None else None
        path = g.value(node, sh("path"))
        if path is not None:
            shape.path, shape.path_label = self._path(path)
        for predicate in sorted(g.predicates(node)):
            if not predicate.startswith(SH):
                continue
            local = predicate[len(SH):]
            values = g.objects(node, ox.NamedNode(predicate))
            if local in _LOGICAL_PARAMS:
                for value in sorted(values, key=str):
                    members = g.items(value) if local in ("or", "and", "xone") else [value]
                    shape.constraints.append(("logical", (local, members)))
            elif local in _VALUE_PARAMS | _COUNT_PARAMS:
                if local == "flags":
                    continue
                shape.constraints.append((local, values))
            elif local == "property":
                for child in sorted(values, key=str):
                    if g.value(child, sh("deactivated")) != ox.Literal(True):
                        shape.properties.append(self._shape(child, shape))
            elif local == "sparql":
                for constraint in sorted(values, key=str):
                    if g.value(constraint, sh("deactivated")) == ox.Literal(True):
                        continue
                    select = g.value(constraint, sh("select"))
                    if select is None or g.value(constraint, sh("ask")) is not None:
                        shape.unsupported.append("sh:sparql without sh:select")
                        continue
                    text = self._prefixes(constraint) + select.value
                    cmessage = g.value(constraint, sh("message"))
                    cname = constraint.value if isinstance(constraint, ox.NamedNode) else name
                    shape.sparql.append(SparqlConstraint(constraint, cname, text,
                                                         cmessage.value if cmessage is not None else None))
            elif local == "closed":
                if values and values[0] == ox.Literal(True):
                    # only the IRI paths of the property shapes are allowed (SHACL 4.8.1)
                    allowed = {g.value(p, sh("path")) for p in g.objects(node, sh("property"))}
                    for ignored in g.objects(node, sh("ignoredProperties")):
                        allowed.update(g.items(ignored))
                    shape.constraints.append(("closed", sorted(a.value for a in allowed
                                                                if isinstance(a, ox.NamedNode))))
            elif local not in _SHAPE_PARAMS:
                shape.unsupported.append("sh:" + local)
        return shape

    def _path(self, node) -> tuple[str, str]:
        """A SHACL property path as a SPARQL property path, and the text findings show for it."""
        g = self.graph
        if isinstance(node, ox.NamedNode):
            return f"<{node.value}>", node.value
        first = g.value(node, RDF_FIRST)
        if first is not None:
            return "(" + "/".join(self._path(item)[0] for item in g.items(node)) + ")", self._paths_label(node)
        for param, template in (("inversePath", "^{}"), ("zeroOrMorePath", "{}*"), ("oneOrMorePath", "{}+"),
                                ("zeroOrOnePath", "{}?")):
            inner = g.value(node, sh(param))
            if inner is not None:
                text = "(" + template.format(self._path(inner)[0]) + ")"
                return text, text
        alternatives = g.value(node, sh("alternativePath"))
        if alternatives is not None:
            text = "(" + "|".join(self._path(item)[0] for item in g.items(alternatives)) + ")"
            return text, text
        raise IfnontoError(f"the SHACL shapes use a property path that is not valid SHACL: {node}")

    def _paths_label(self, node) -> str:
        return "(" + "/".join(self._path(item)[0] for item in self.graph.items(node)) + ")"

    def _prefixes(self, constraint) -> str:
        g = self.graph
        lines = []
        for source in g.objects(constraint, sh("prefixes")):
            for declaration in g.objects(source, sh("declare")):
                prefix, namespace = g.value(declaration, sh("prefix")), g.value(declaration, sh("namespace"))
                if prefix is not None and namespace is not None:
                    lines.append(f"PREFIX {prefix.value}: <{namespace.value}>\n")
        return "".join(sorted(set(lines)))

    def walk(self):
        """Every shape, property shapes included, parents first."""
        stack = list(reversed(self.shapes))
        while stack:
            shape = stack.pop()
            yield shape
            stack.extend(reversed(shape.properties))

    def unsupported(self) -> dict[str, list[str]]:
        """Top-level shape name -> the features of it (or of its property shapes, or of the shapes it refers
        to through sh:node, sh:or, ...) that this engine does not run."""
        found: dict[str, list[str]] = {}
        for top in self.shapes:
            stack, seen = [top], set()
            while stack:
                shape = stack.pop()
                if shape.unsupported:
                    found.setdefault(_shape_id(top.node), []).extend(shape.unsupported)
                stack.extend(shape.properties)
                for name, values in shape.constraints:
                    if name == "logical":
                        for member in values[1]:
                            if member not in seen:
                                seen.add(member)
                                stack.append(self._shape(member, None))
        return found


_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML,
               "json-ld": ox.RdfFormat.JSON_LD, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
               "n3": ox.RdfFormat.N3}


def _sparql_term(term) -> str:
    if isinstance(term, ox.BlankNode):
        raise ValueError("a blank node cannot be written as a constant in a query")
    return str(term)  # N-Triples syntax, which is valid SPARQL for IRIs and literals


def _lexical(term) -> str:
    return "" if term is None else term.value


class Dataset:
    """The data to validate in one pyoxigraph store: the release in the default graph, the user's files in a
    named graph (so their nodes are known), both read as one default graph by every query."""

    def __init__(self):
        self.store = ox.Store()
        self.has_extension = False

    def load_release(self, path: Path) -> None:
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)

    def load_file(self, path: Path, *, extension: bool = True) -> None:
        """Read a user's file with the same safety checks as the rest of the package, without rdflib."""
        from ifnonto.loading import MAX_FILE_BYTES, check_safe, guess_format

        path = Path(path)
        if not path.is_file():
            raise IfnontoError("no such file", path=str(path))
        size = path.stat().st_size
        if size == 0:
            raise IfnontoError("empty file: no RDF to read", path=str(path))
        if size > MAX_FILE_BYTES:
            raise IfnontoError(f"file larger than {MAX_FILE_BYTES} bytes", path=str(path))
        form = guess_format(path)
        data = path.read_bytes()
        check_safe(data, form, path)
        graph = EXTENSION_GRAPH if extension else ox.DefaultGraph()
        try:
            # load, not bulk_load: a syntax error leaves the store untouched and names its line
            self.store.load(data, format=_OX_FORMATS[form], base_iri=path.resolve().as_uri(), to_graph=graph)
        except (SyntaxError, ValueError, OSError) as exc:
            message = " ".join(str(exc).split(" (line ")[0].split())[:300]
            raise IfnontoError(f"cannot parse as {form}: {message}", path=str(path),
                               line=getattr(exc, "lineno", None)) from None
        self.has_extension = self.has_extension or extension

    def query(self, text: str, substitutions: dict | None = None, *, focus_graph: bool = True) -> Solutions:
        graphs = [ox.DefaultGraph(), EXTENSION_GRAPH] if self.has_extension else [ox.DefaultGraph()]
        return Solutions(self.store.query(text, default_graph=graphs,
                                          named_graphs=[FOCUS_GRAPH] if focus_graph else [],
                                          substitutions=substitutions))


class Solutions(list):
    """A SELECT query's solutions, read at once. pyoxigraph's lazy results may only be freed on the thread that
    made them, and a caller's frame can outlive the call: rdflib's parser caches its parse errors, whose
    tracebacks hold the frames above them, until another parse on any thread resets the cache."""

    def __init__(self, results):
        if not isinstance(results, ox.QuerySolutions):
            raise IfnontoError("a SHACL SPARQL constraint's sh:select must be a SELECT query")
        super().__init__(results)
        self.variables = results.variables


class Validator:
    def __init__(self, program: Program, data: Dataset, *, batch: bool = True):
        self.program = program
        self.data = data
        self.batch = batch  # False: every SPARQL constraint runs once per focus node (the reference semantics)
        self.results: list[Result] = []
        self.per_focus: list[str] = []  # SPARQL constraints that could not be batched
        self._subclass_cache: dict = {}
        self._focus_keys: dict = {}  # target query -> (focus key, number of focus nodes)
        self.depth = 0  # how many sh:node/sh:or/... levels down this validator runs

    # focus nodes ------------------------------------------------------------------------------------------
    def _target_patterns(self, shape: Shape) -> list[str]:
        g = self.program.graph
        node = shape.node
        patterns = []
        classes = list(g.objects(node, sh("targetClass")))
        if RDFS_CLASS in g.objects(node, RDF_TYPE) and isinstance(node, ox.NamedNode):
            classes.append(node)  # implicit class target
        patterns += [f"{{ {self._instance_of('?this', c)} }}" for c in classes]
        patterns += [f"{{ BIND({_sparql_term(n)} AS ?this) }}" for n in g.objects(node, sh("targetNode"))]
        patterns += [f"{{ ?this {_sparql_term(p)} ?any }}" for p in g.objects(node, sh("targetSubjectsOf"))]
        patterns += [f"{{ ?any {_sparql_term(p)} ?this }}" for p in g.objects(node, sh("targetObjectsOf"))]
        return patterns

    def mark_focus_nodes(self, shape: Shape, only_extension: bool) -> int:
        patterns = self._target_patterns(shape)
        if not patterns:
            return 0
        restrict = f"FILTER EXISTS {{ GRAPH <{EXTENSION_GRAPH.value}> {{ ?this ?p ?o }} }}" if only_extension else ""
        text = f"SELECT DISTINCT ?this WHERE {{ {' UNION '.join(patterns)} {restrict} }}"
        if text in self._focus_keys:  # same targets as a shape already marked (e.g. generated + curated shapes)
            shape.key, count = self._focus_keys[text]
            return count
        graphs = [ox.DefaultGraph(), EXTENSION_GRAPH] if self.data.has_extension else [ox.DefaultGraph()]
        # the restriction reads the extension as a named graph
        rows = Solutions(self.data.store.query(text, default_graph=graphs,
                                               named_graphs=[EXTENSION_GRAPH] if self.data.has_extension else []))
        quads = [ox.Quad(row[0], FOCUS_OF, shape.key, FOCUS_GRAPH) for row in rows if row[0] is not None]
        self.data.store.extend(quads)
        self._focus_keys[text] = (shape.key, len(quads))
        return len(quads)

    # core constraints -------------------------------------------------------------------------------------
    def _focus(self, shape: Shape) -> str:
        top = shape.parent or shape
        graph = f"GRAPH <{FOCUS_GRAPH.value}> {{ ?this <{FOCUS_OF.value}> <{top.key.value}> }}"
        if top.focus_values is not None:
            return f"{{ {graph} }} UNION {{ VALUES ?this {{ {top.focus_values} }} }}"
        return graph

    def _values(self, shape: Shape) -> str:
        return f"?this {shape.path} ?value ." if shape.path else "BIND(?this AS ?value)"

    def core_checks(self, shape: Shape):
        """The core constraints of a shape as (kind, parameter, SPARQL): kind "value" is a condition on
        ?value that holds for a violating value node, "count" a (minimum, maximum) of value nodes, "query" a
        query of its own whose rows bind ?this and maybe ?path and ?value."""
        g = self.program.graph
        for name, values in shape.constraints:
            value = values[0] if isinstance(values, list) and values else values
            if name == "logical":
                continue
            if name == "class":
                for cls in values:
                    yield "value", name, f"NOT EXISTS {{ {self._instance_of('?value', cls)} }}"
            elif name == "datatype":
                for dt in values:
                    ok = f"isLiteral(?value) && datatype(?value) = {_sparql_term(dt)}"
                    if dt.value in _CASTABLE:
                        ok += f" && isLiteral({_sparql_term(dt)}(STR(?value)))"
                    yield "value", name, f"!COALESCE({ok}, false)"
            elif name == "nodeKind":
                yield "value", name, f"!{_NODE_KINDS[value.value[len(SH):]]}"
            elif name == "in":
                test = " || ".join(f"sameTerm(?value, {_sparql_term(m)})" for m in g.items(value)) or "false"
                yield "value", name, f"!({test})"
            elif name == "pattern":
                flags = g.value(shape.node, sh("flags"))
                flag_text = f", {_sparql_term(flags)}" if flags is not None else ""
                yield "value", name, f"isBlank(?value) || !REGEX(STR(?value), {_sparql_term(value)}{flag_text})"
            elif name in ("minLength", "maxLength"):
                op = ">=" if name == "minLength" else "<="
                yield "value", name, f"isBlank(?value) || !(STRLEN(STR(?value)) {op} {int(value.value)})"
            elif name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
                op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[name]
                yield "value", name, f"!COALESCE(?value {op} {_sparql_term(value)}, false)"
            elif name == "languageIn":
                test = " || ".join(f"langMatches(lang(?value), {_sparql_term(t)})" for t in g.items(value)) \
                    or "false"
                yield "value", name, f"!COALESCE(isLiteral(?value) && ({test}), false)"
            elif name in ("minCount", "maxCount"):
                yield "count", name, int(value.value)
            elif name == "hasValue":
                for expected in values:
                    if shape.path:
                        yield "query", name, (f"SELECT ?this WHERE {{ {self._focus(shape)} FILTER NOT EXISTS {{ "
                                              f"?this {shape.path} {_sparql_term(expected)} }} }}")
                    else:
                        yield "value", name, f"!sameTerm(?value, {_sparql_term(expected)})"
            elif name == "uniqueLang":
                if value == ox.Literal(True) and shape.path:
                    yield "query", name, (f"SELECT DISTINCT ?this WHERE {{ {self._focus(shape)} ?this {shape.path} "
                                          f"?a, ?b . FILTER(!sameTerm(?a, ?b) && lang(?a) != \"\" && "
                                          f"lang(?a) = lang(?b)) }}")
            elif name == "closed":
                allowed = ", ".join(f"<{iri}>" for iri in values) or f"<{FOCUS_OF.value}>"
                yield "query", name, (f"SELECT DISTINCT ?this ?path ?value WHERE {{ {self._focus(shape)} "
                                      f"?this ?path ?value . FILTER(?path NOT IN ({allowed})) }}")

    def _instance_of(self, var: str, cls) -> str:
        """A pattern matching SHACL instances of a class: with the class and its subclasses listed in VALUES
        (about 2.5x faster than an rdf:type/rdfs:subClassOf* path per node, measured at 1M triples), or with
        that path where a blank node is among the subclasses."""
        if cls not in self._subclass_cache:
            rows = self.data.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* {_sparql_term(cls)} }}")
            found = {row[0] for row in rows} | {cls}
            self._subclass_cache[cls] = None if any(isinstance(c, ox.BlankNode) for c in found) else \
                " ".join(sorted(_sparql_term(c) for c in found))
        listed = self._subclass_cache[cls]
        if listed is None:
            return f"{var} <{RDF}type>/<{RDFS}subClassOf>* {_sparql_term(cls)}"
        return f"VALUES ?class {{ {listed} }} {var} <{RDF}type> ?class"

    def _result(self, shape: Shape, name: str, this, value=None, path=None) -> None:
        self.results.append(Result(this, path.value if path is not None else shape.path_label, value,
                                   shape.message or _default_message(name, shape), shape.name, shape.severity))

    def run_core(self, shape: Shape) -> None:
        """All value conditions of a shape in one query, both counts in another (one pass over the focus nodes
        each, instead of one per constraint), then the constraints that need a query of their own."""
        checks = list(self.core_checks(shape))
        conditions = [(name, sparql) for kind, name, sparql in checks if kind == "value"]
        if conditions:
            binds = " ".join(f"BIND(COALESCE({sparql}, false) AS ?c{i})" for i, (_, sparql) in enumerate(conditions))
            any_true = " || ".join(f"?c{i}" for i in range(len(conditions)))
            text = (f"SELECT DISTINCT ?this ?value {' '.join(f'?c{i}' for i in range(len(conditions)))} WHERE {{ "
                    f"{self._focus(shape)} {self._values(shape)} {binds} FILTER({any_true}) }}")
            true = ox.Literal(True)
            for row in self.data.query(text):
                for i, (name, _) in enumerate(conditions):
                    if row[f"c{i}"] == true:
                        self._result(shape, name, row["this"], row["value"])
        counts = {name: n for kind, name, n in checks if kind == "count"}
        low, high = counts.get("minCount", 0), counts.get("maxCount")
        if low > 0 or high is not None:
            test = " || ".join(t for t in (f"?count < {low}" if low > 0 else "",
                                            f"?count > {high}" if high is not None else "") if t)
            text = (f"SELECT ?this ?count WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?count) WHERE {{ "
                    f"{self._focus(shape)} OPTIONAL {{ {self._values(shape)} }} }} GROUP BY ?this }} "
                    f"FILTER({test}) }}")
            for row in self.data.query(text):
                count = int(row["count"].value)
                self._result(shape, "minCount" if count < low else "maxCount", row["this"])
        for kind, name, text in checks:
            if kind != "query":
                continue
            rows = self.data.query(text)
            names = {v.value for v in rows.variables}
            for row in rows:
                self._result(shape, name, row["this"], row["value"] if "value" in names else None,
                             row["path"] if "path" in names else None)

    # SPARQL constraints -----------------------------------------------------------------------------------
    def run_sparql(self, shape: Shape) -> None:
        for constraint in shape.sparql:
            text = constraint.select
            if shape.path:
                text = re.sub(r"\$PATH\b", shape.path.replace("\\", "\\\\"), text)
            substitutions = {}
            if re.search(r"[$?]currentShape\b", text):
                if isinstance(shape.node, ox.BlankNode):
                    raise IfnontoError("a SPARQL constraint uses $currentShape on a blank-node shape")
                substitutions[ox.Variable("currentShape")] = shape.node
            if re.search(r"[$?]shapesGraph\b", text):
                raise IfnontoError(f"SPARQL constraint {constraint.name} uses $shapesGraph, which is not supported")
            batched = _batch_text(text, self._focus(shape)) if self.batch else None
            if batched is not None:
                rows = self.data.query(batched, substitutions or None)
                self._sparql_rows(shape, constraint, rows, None)
            else:
                self.per_focus.append(constraint.name)
                focus_rows = self.data.query(f"SELECT ?this WHERE {{ {self._focus(shape)} }}")
                for (focus,) in list(focus_rows):
                    rows = self.data.query(text, {**substitutions, ox.Variable("this"): focus}, focus_graph=False)
                    self._sparql_rows(shape, constraint, rows, focus)

    def _sparql_rows(self, shape: Shape, constraint: SparqlConstraint, rows, focus) -> None:
        """One result per distinct solution, as the SHACL specification (and pySHACL) make them."""
        seen = set()
        names = [v.value for v in rows.variables]
        for row in rows:
            bound = {name: row[name] for name in names if row[name] is not None}
            this = bound.pop("this", None) or focus
            if this is None:
                continue
            if "failure" in bound:
                key = (this, "failure")
                if key in seen:
                    continue
                seen.add(key)
                value, path = (None if shape.path else this), None
            else:
                path, value = bound.pop("path", None), bound.pop("value", None)
                key = (this, path, value, tuple(sorted(bound.items(), key=lambda kv: kv[0])))
                if key in seen:
                    continue
                seen.add(key)
                if value is None and not shape.path:
                    value = this
            message = constraint.message or shape.message or "SPARQL constraint violated"
            message = re.sub(r"\{[?$](\w+)\}", lambda m: _lexical(row[m.group(1)]) if m.group(1) in names
                             else m.group(0), message)
            self.results.append(Result(this, path.value if path is not None else shape.path_label, value,
                                       message, constraint.name, shape.severity))

    def run_tree(self, shape: Shape) -> None:
        stack = [shape]
        while stack:
            current = stack.pop()
            self.run_core(current)
            self.run_logical(current)
            self.run_sparql(current)
            stack.extend(current.properties)

    def run(self, only_extension: bool) -> list[Result]:
        unsupported = self.program.unsupported()
        for shape in self.program.shapes:
            if _shape_id(shape.node) in unsupported:
                continue
            if self.mark_focus_nodes(shape, only_extension):
                self.run_tree(shape)
        return self.results

    # sh:node, sh:not, sh:and, sh:or, sh:xone ----------------------------------------------------------------
    def failing(self, shape_node, nodes: set) -> dict:
        """The nodes among ``nodes`` that do not conform to the shape ``shape_node`` (validated as focus nodes
        of it), each with its results."""
        if self.depth >= _MAX_SHAPE_DEPTH:
            raise IfnontoError(f"the SHACL shapes refer to each other more than {_MAX_SHAPE_DEPTH} levels deep "
                               f"(recursive shapes are not defined by SHACL): {_shape_id(shape_node)}")
        if not nodes:
            return {}
        shape = self.program._shape(shape_node, None)  # a fresh key for this set of nodes
        literals = sorted(str(n) for n in nodes if isinstance(n, ox.Literal))
        if literals:  # literals cannot be subjects of the focus graph: list them in the queries
            shape.focus_values = " ".join(literals)  # N-Triples terms are SPARQL terms
        quads = [ox.Quad(n, FOCUS_OF, shape.key, FOCUS_GRAPH) for n in nodes if not isinstance(n, ox.Literal)]
        self.data.store.extend(quads)
        nested = Validator(self.program, self.data, batch=self.batch)
        nested.depth, nested._subclass_cache = self.depth + 1, self._subclass_cache
        nested.run_tree(shape)
        for quad in quads:
            self.data.store.remove(quad)
        found: dict = {}
        for result in nested.results:
            found.setdefault(result.focus, []).append(result)
        return found

    def run_logical(self, shape: Shape) -> None:
        checks = [values for name, values in shape.constraints if name == "logical"]
        if not checks:
            return
        pairs = [(row["this"], row["value"]) for row in self.data.query(
            f"SELECT DISTINCT ?this ?value WHERE {{ {self._focus(shape)} {self._values(shape)} }}")]
        values = {value for _, value in pairs}
        for kind, members in checks:
            failing = [self.failing(member, values) for member in members]
            for this, value in pairs:
                conforming = sum(value not in f for f in failing)
                violated = {"node": conforming < len(members), "and": conforming < len(members),
                            "not": conforming > 0, "or": conforming == 0, "xone": conforming != 1}[kind]
                if violated:
                    self._result(shape, kind, this, value)
                    if kind == "node":  # pySHACL gives the value node's own results as details (sh:detail)
                        self.results.extend(failing[0].get(value, []))


def _default_message(name: str, shape: Shape) -> str:
    where = f"on {shape.path_label}" if shape.path_label else "on the focus node"
    return f"{name} constraint violated {where}"


def _group_start(text: str) -> int | None:
    """Index of the "{" that opens the query's top-level group, skipping comments, strings and IRIs."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and text[j:j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            match = re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:])
            if match:
                i += match.end()
                continue
        if c == "{":
            return i
        i += 1
    return None


def _batch_text(text: str, focus_pattern: str) -> str | None:
    """The constraint with the focus pattern joined into its top-level group, if that gives every focus node
    the same solutions as pre-binding ``$this`` would; None if it might not."""
    start = _group_start(text)
    if start is None:
        return None
    head = text[:start]
    select = re.search(r"\bSELECT\b(\s+(DISTINCT|REDUCED)\b)?", head, re.I)
    if select is None:
        return None
    if not re.search(r"[?$]this\b|\*", head[select.end():]):
        head = head[:select.end()] + " ?this" + head[select.end():]
    rewritten = head + "{ " + focus_pattern + " " + text[start + 1:]
    return rewritten if _batch_safe(rewritten) else None


def _batch_safe(text: str) -> bool:
    """Whether joining the focus pattern in is the same as pre-binding $this (SHACL 5.3.1), judged on the
    query algebra: every filter, BIND and OPTIONAL that reads ?this must sit where ?this is already bound;
    ?this must be a GROUP BY key when the query aggregates; no sub-select, MINUS, VALUES, LIMIT or SERVICE."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef, Variable

    this = Variable("this")
    try:
        query = prepareQuery(text)
    except Exception:  # noqa: BLE001 - rdflib's parser raises many types; unparsable means not batched
        return False
    focus_graph = URIRef(FOCUS_GRAPH.value)

    def children(node):
        if isinstance(node, CompValue):
            return [v for k, v in node.items() if k != "_vars"]
        if isinstance(node, (list, tuple)):
            return list(node)
        return []

    def mentions(node) -> bool:
        if node == this and isinstance(node, Variable):
            return True
        return any(mentions(child) for child in children(node))

    def bound(p) -> set:
        if not isinstance(p, CompValue):
            return set()
        name = p.name
        if name == "BGP":
            return {t for triple in p.triples for t in triple if isinstance(t, Variable)}
        if name == "Join":
            return bound(p.p1) | bound(p.p2)
        if name in ("LeftJoin", "Minus"):
            return bound(p.p1)
        if name == "Union":
            return bound(p.p1) & bound(p.p2)
        if name == "Extend":
            return bound(p.p) | {p.var}
        if name == "Graph":
            return bound(p.p) | ({p.term} if isinstance(p.term, Variable) else set())
        if name == "Project":
            return bound(p.p) & set(p.PV)
        if name == "Group":
            return bound(p.p) & {e for e in (p.expr or []) if isinstance(e, Variable)}
        if name in ("Filter", "Distinct", "Reduced", "OrderBy", "AggregateJoin", "ToMultiSet"):
            return bound(p.p)
        return set()

    def exists_patterns(expr):
        if isinstance(expr, CompValue) and expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            yield expr.graph
            return
        for child in children(expr):
            yield from exists_patterns(child)

    def safe(p, exists_root: bool = False) -> bool:
        if not isinstance(p, CompValue):
            return True
        name = p.name
        if name in ("Minus", "values", "Slice", "ServiceGraphPattern", "ToMultiSet"):
            return False
        if name == "Graph" and p.term != focus_graph:
            return False
        if name == "Group" and this not in (p.expr or []):
            return False
        for expr_key, pattern_key in (("expr", "p"),):
            if name in ("Filter", "Extend") and mentions(p[expr_key]) and this not in bound(p[pattern_key]) \
                    and not exists_root:
                return False
        if name == "LeftJoin" and (mentions(p.p2) or mentions(p.expr)) and this not in bound(p.p1):
            return False
        if name in ("Filter", "Extend", "LeftJoin", "OrderBy"):
            for graph in exists_patterns(p.expr):
                if not safe(translateGroupGraphPattern(graph), exists_root=True):
                    return False
        return all(safe(p[key], exists_root and key == "p" and name == "Filter")
                   for key in ("p", "p1", "p2") if key in p)

    root = query.algebra
    return root.name == "SelectQuery" and safe(root.p)


def _pyshacl_fallback(program: Program, data: Dataset, shape_names: list[str], only_extension: bool) -> list[Result]:
    """Shapes with features this engine does not translate, run by pySHACL on the same data (all shapes when
    ``shape_names`` is empty)."""
    import pyshacl
    from rdflib import BNode, Graph, URIRef
    from rdflib.namespace import RDF as RDFNS

    class KeepIds(dict):  # N-Triples blank node labels become the same rdflib BNode ids
        def __missing__(self, label):
            return BNode(label)

    graph = Graph()
    sources = [ox.DefaultGraph()] + ([EXTENSION_GRAPH] if data.has_extension else [])
    for source in sources:
        dumped = data.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=source)
        graph.parse(data=dumped.decode("utf-8"), format="nt", bnode_context=KeepIds())
    shapes = Graph()
    for path in program.files:
        shapes.parse(path, format="turtle")
    _conforms, report, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                                allow_warnings=True, meta_shacl=False,
                                                use_shapes=shape_names or None)
    keep = None
    if only_extension:
        keep = {row[0].value for row in data.store.query(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH <{EXTENSION_GRAPH.value}> {{ ?s ?p ?o }} }}")}
    results = []
    sh_ = lambda name: URIRef(SH + name)  # noqa: E731
    for result in report.subjects(RDFNS.type, sh_("ValidationResult")):
        focus = report.value(result, sh_("focusNode"))
        if keep is not None and str(focus) not in keep:
            continue
        shape = report.value(result, sh_("sourceShape"))
        constraint = report.value(result, sh_("sourceConstraint"))
        name = constraint if isinstance(constraint, URIRef) else shape
        if not isinstance(name, URIRef):
            owner = shapes.value(predicate=sh_("property"), object=shape)
            name = owner if owner is not None else shape
        value, path = report.value(result, sh_("value")), report.value(result, sh_("resultPath"))
        message, severity = report.value(result, sh_("resultMessage")), report.value(result, sh_("resultSeverity"))
        results.append(Result(_ox_term(focus), "" if path is None else str(path), _ox_term(value),
                              "" if message is None else str(message), str(name),
                              str(severity).rsplit("#", 1)[-1]))
    return results


def _ox_term(term):
    from rdflib import BNode, Literal

    if term is None:
        return None
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        return ox.Literal(str(term))
    return ox.NamedNode(str(term))


def validate(files: list[Path], *, with_release: bool = True, inferred: bool = True,
             shape_files: list[Path] | None = None, batch: bool = True) -> list[Result]:
    """Validate the release, the user's files together with the release (only the files' own nodes are focus
    nodes: the release is not validated again), or the files alone (``with_release=False``)."""
    program = Program(shape_files)
    data = Dataset()
    if with_release:
        release = paths.release_file("nt", inferred=inferred)
        if not release.is_file():
            raise IfnontoError(f"release file {release} is missing: run `ifnonto build` first")
        data.load_release(release)
    for path in files:
        data.load_file(Path(path), extension=with_release)
    only_extension = with_release and bool(files)
    unsupported = program.unsupported()
    if any(name.startswith("_:") for name in unsupported):
        # pySHACL can only be given named shapes to run: it runs them all
        return _pyshacl_fallback(program, data, [], only_extension)
    results = Validator(program, data, batch=batch).run(only_extension)
    if unsupported:
        results += _pyshacl_fallback(program, data, sorted(unsupported), only_extension)
    return results
