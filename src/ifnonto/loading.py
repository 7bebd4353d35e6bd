"""The one way the package reads RDF files: one format table, one set of safety checks, one parser.

- The format comes from the file extension (or is given). Only regular files are read: directories, FIFOs,
  devices, symbolic-link loops and unreadable files are refused with one line, before anything is opened.
- Nothing is fetched from the network and nothing expands without bound: RDF/XML with a DOCTYPE or entity
  declarations is refused, JSON-LD that names a remote @context or uses @import is refused (and so is JSON
  nested deeper than MAX_JSON_DEPTH), owl:imports are never followed.
- Every file is parsed by pyoxigraph's strict streaming parsers, which are linear in the input. The rdflib graph
  that validate and reason need is built from those triples: rdflib's own Turtle parser is quadratic in the
  length of a multi-line literal (one 1 MB literal: 47 s, against 0.04 s for pyoxigraph).
- Triples in named graphs (TriG, N-Quads) are loaded as named graphs where the consumer keeps graphs apart
  (a pyoxigraph store), and refused with a message where it would merge them silently (an rdflib graph).
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ifnonto.errors import IfnontoError


@dataclass(frozen=True)
class RdfFormat:
    name: str          # our name, also accepted by `--format`-like options
    media_type: str    # IANA media type (HTTP uploads, pyoxigraph)
    rdflib: str        # rdflib parser/serializer name
    quads: bool        # can hold named graphs


_TABLE = (
    (RdfFormat("turtle", "text/turtle", "turtle", False), (".ttl",)),
    (RdfFormat("ntriples", "application/n-triples", "nt", False), (".nt",)),
    (RdfFormat("rdfxml", "application/rdf+xml", "xml", False), (".owl", ".rdf", ".xml")),
    (RdfFormat("jsonld", "application/ld+json", "json-ld", True), (".jsonld", ".json")),
    (RdfFormat("n3", "text/n3", "n3", False), (".n3",)),
    (RdfFormat("trig", "application/trig", "trig", True), (".trig",)),
    (RdfFormat("nquads", "application/n-quads", "nquads", True), (".nq",)),
)
# The RDF format table: file extension -> format. Every module that reads or uploads RDF asks here.
RDF_FORMATS: dict[str, RdfFormat] = {ext: fmt for fmt, exts in _TABLE for ext in exts}
_BY_NAME: dict[str, RdfFormat] = {}
for _fmt, _exts in _TABLE:
    for _alias in (_fmt.name, _fmt.rdflib, _fmt.media_type, *(e[1:] for e in _exts)):
        _BY_NAME[_alias] = _fmt

MAX_FILE_BYTES = 2_000_000_000
MAX_JSON_DEPTH = 200
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)


def rdf_format(path: Path, fmt: str | None = None) -> RdfFormat:
    """The format of ``path``: ``fmt`` if given (a name, extension or media type), else from the extension."""
    if fmt:
        found = _BY_NAME.get(fmt.lower().lstrip("."))
        if found is None:
            raise IfnontoError(f"unknown RDF format {fmt!r}: use one of {', '.join(sorted(_BY_NAME))}",
                               path=str(path))
        return found
    found = RDF_FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise IfnontoError(f"unknown RDF file extension {Path(path).suffix!r}: use one of "
                           f"{', '.join(sorted(RDF_FORMATS))}", path=str(path))
    return found


def guess_format(path: Path) -> str:
    """rdflib's name for the format of ``path`` (kept for callers that hand files to rdflib themselves)."""
    return rdf_format(path).rdflib


def media_type(path: Path, fmt: str | None = None) -> str:
    return rdf_format(path, fmt).media_type


def check_file(path: Path) -> int:
    """Refuse anything but a readable, non-empty regular file of sane size; return its size in bytes."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise IfnontoError("no such file", path=str(path)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IfnontoError("symbolic link loop: cannot read", path=str(path)) from None
        raise IfnontoError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise IfnontoError("is a directory, not an RDF file", path=str(path))
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise IfnontoError(f"is {kind}, not a regular file: only regular files are read", path=str(path))
    if not os.access(path, os.R_OK):
        raise IfnontoError("cannot read: permission denied", path=str(path))
    if info.st_size == 0:
        raise IfnontoError("empty file: no RDF to read", path=str(path))
    if info.st_size > MAX_FILE_BYTES:
        raise IfnontoError(f"file larger than {MAX_FILE_BYTES} bytes", path=str(path))
    return info.st_size


def read_bytes(path: Path) -> bytes:
    check_file(path)
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise IfnontoError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None


def _json_depth_ok(data: bytes) -> bool:
    """True unless brackets outside strings nest deeper than MAX_JSON_DEPTH (checked before json.loads, which
    would recurse once per level)."""
    text = re.sub(rb'"(?:[^"\\]|\\.)*"', b'""', data)
    depth = 0
    for match in re.finditer(rb"[\[\]{}]", text):
        depth += 1 if match.group() in (b"[", b"{") else -1
        if depth > MAX_JSON_DEPTH:
            return False
    return True


def _check_jsonld(data: bytes, path: Path) -> None:
    if not _json_depth_ok(data):
        raise IfnontoError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is refused", path=str(path))
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise IfnontoError(f"not valid JSON: {exc}", path=str(path), line=getattr(exc, "lineno", None)) from None
    stack = [document]
    while stack:  # iterative: no recursion limit to hit
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    contexts = value if isinstance(value, list) else [value]
                    if any(isinstance(c, str) for c in contexts):
                        raise IfnontoError("JSON-LD with a remote @context is refused (it would be fetched "
                                           "from the network): inline the context", path=str(path))
                if key == "@import":
                    raise IfnontoError("JSON-LD @import is refused (it would be fetched from the network)",
                                       path=str(path))
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def check_safe(data: bytes, form: RdfFormat | str, path: Path) -> None:
    """Refuse input that would make a parser read other files or the network, or expand without bound."""
    name = form.name if isinstance(form, RdfFormat) else rdf_format(path, form).name
    if name != "jsonld" and b"\x00" in data[:65536]:
        raise IfnontoError("binary data, not an RDF text file", path=str(path))
    if name == "rdfxml" and _DOCTYPE.search(data):
        raise IfnontoError("RDF/XML with a DOCTYPE or <!ENTITY> declaration is refused: external and expanding "
                           "entities are never resolved", path=str(path))
    if name == "jsonld":
        _check_jsonld(data, path)


def read_checked(path: Path, fmt: str | None = None) -> tuple[bytes, RdfFormat]:
    """The bytes of an RDF file that passed every check, and its format."""
    path = Path(path)
    form = rdf_format(path, fmt)
    data = read_bytes(path)
    check_safe(data, form, path)
    return data, form


def iter_quads(path: Path, fmt: str | None = None, data: bytes | None = None) -> Iterator:
    """pyoxigraph quads of one checked file; a syntax error becomes one line with the file and line."""
    import pyoxigraph as ox

    path = Path(path)
    if data is None:
        data, form = read_checked(path, fmt)
    else:
        form = rdf_format(path, fmt)
    try:
        yield from ox.parse(data, ox.RdfFormat.from_media_type(form.media_type), base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        message = str(exc).split(" (line ")[0]
        raise IfnontoError(f"cannot parse as {form.name}: {message}", path=str(path), line=exc.lineno) from None
    except (ValueError, RecursionError) as exc:
        raise IfnontoError(f"cannot parse as {form.name}: {str(exc)[:300]}", path=str(path)) from None


def _rdflib_terms():
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    xsd_string = "http://www.w3.org/2001/XMLSchema#string"
    lang_string = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
    named, blank, literal = ox.NamedNode, ox.BlankNode, ox.Literal
    cache: dict = {}

    def convert(term, path):
        kind = type(term)
        if kind is named:
            value = term.value
            found = cache.get(value)
            if found is None:
                found = cache[value] = URIRef(value)
            return found
        if kind is blank:
            return BNode(term.value)
        if kind is literal:
            datatype = term.datatype.value
            if term.language:
                return Literal(term.value, lang=term.language)
            if datatype == xsd_string or datatype == lang_string:
                return Literal(term.value)
            return Literal(term.value, datatype=cache.get(datatype) or URIRef(datatype))
        raise IfnontoError(f"{type(term).__name__} terms (RDF-star, N3 formulas) are not supported", path=str(path))

    return convert


class _ListShape:
    """RDF collections (rdf:first/rdf:rest) of one file: each cell has one first and one rest, and following
    rest ends at rdf:nil. A cycle or a forked list is an error here, not silently dropped by a reasoner that
    cannot read the class expression it belongs to."""

    FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
    REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"

    def __init__(self):
        self.rest: dict = {}
        self.firsts: dict = {}
        self.problem: str | None = None

    def see(self, subject, predicate, obj) -> None:
        iri = predicate.value
        if iri == self.REST:
            if subject in self.rest and self.problem is None:
                self.problem = f"the list cell {subject} has two rdf:rest values"
            self.rest[subject] = obj
        elif iri == self.FIRST:
            self.firsts[subject] = self.firsts.get(subject, 0) + 1

    def check(self, path: Path) -> None:
        if self.problem is None:
            forked = next((cell for cell, n in self.firsts.items() if n > 1), None)
            if forked is not None:
                self.problem = f"the list cell {forked} has {self.firsts[forked]} rdf:first values"
        ended: set = set()
        for start in self.rest:
            if self.problem is not None:
                break
            cell, on_path = start, set()
            while cell in self.rest and cell not in ended:
                if cell in on_path:
                    self.problem = f"the RDF list at {start} never ends: its rdf:rest chain returns to {cell}"
                    break
                on_path.add(cell)
                cell = self.rest[cell]
            ended.update(on_path)
        if self.problem is not None:
            raise IfnontoError(f"malformed RDF list: {self.problem}", path=str(path))


def default_graph_triples(path: Path, fmt: str | None = None) -> Iterator[tuple]:
    """The (subject, predicate, object) pyoxigraph terms of one checked file; named graphs are refused, never
    dropped silently."""
    import pyoxigraph as ox

    path = Path(path)
    default = ox.DefaultGraph
    named: dict[str, int] = {}
    lists = _ListShape()
    for quad in iter_quads(path, fmt):
        if type(quad.graph_name) is not default:
            key = str(quad.graph_name)
            named[key] = named.get(key, 0) + 1
            continue
        lists.see(quad.subject, quad.predicate, quad.object)
        yield quad.subject, quad.predicate, quad.object
    lists.check(path)
    if named:
        first = sorted(named)[0]
        raise IfnontoError(
            f"{sum(named.values())} triple(s) in {len(named)} named graph(s) (first: {first}) would be "
            f"dropped: this command reads the default graph only; put them in the default graph "
            f"(for example as Turtle or N-Triples)", path=str(path))


def load_triples(files: Iterable[Path], fmt: str | None = None) -> list[tuple]:
    """The triples of ``files`` as pyoxigraph terms (for the commands that work at scale without rdflib)."""
    return [triple for path in files for triple in default_graph_triples(path, fmt)]


def load_graph(files: Iterable[Path], fmt: str | None = None):
    """An rdflib Graph of the triples of ``files`` (parsed by pyoxigraph). Named graphs are refused."""
    from rdflib import Graph

    graph = Graph()
    convert = _rdflib_terms()
    add = graph.add
    for path in files:
        path = Path(path)
        for s, p, o in default_graph_triples(path, fmt):
            add((convert(s, path), convert(p, path), convert(o, path)))
    return graph


def load_store(store, path: Path, fmt: str | None = None) -> None:
    """Load one checked file into a pyoxigraph Store; named graphs stay named graphs."""
    import pyoxigraph as ox

    path = Path(path)
    form = rdf_format(path, fmt)
    if form.name in ("rdfxml", "jsonld"):  # formats with their own expansion and fetching hazards
        data, form = read_checked(path, fmt)
        source = {"input": data}
    else:
        check_file(path)
        source = {"path": str(path)}
    try:
        store.bulk_load(**source, format=ox.RdfFormat.from_media_type(form.media_type),
                        base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        message = str(exc).split(" (line ")[0]
        raise IfnontoError(f"cannot parse as {form.name}: {message}", path=str(path),
                           line=getattr(exc, "lineno", None)) from None
    except ValueError as exc:
        raise IfnontoError(f"cannot parse as {form.name}: {str(exc)[:300]}", path=str(path)) from None
    except OSError as exc:
        raise IfnontoError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
