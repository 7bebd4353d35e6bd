"""The ``ifnonto`` command: a thin layer over the library. Each command imports only what it needs, so that
``ifnonto query`` starts without loading rdflib, pyshacl or owlready2.

Exit codes: 0 ok, 1 findings (violations, inconsistency, stale release), 2 bad input or usage, 3 missing tool.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import stat
import sys
from pathlib import Path

from ifnonto.errors import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, IfnontoError

DESCRIPTION = """\
Query, check and export ifn-cancer: an ontology and knowledge graph of how interferons (IFNs) shape cancer
immunity, curated from one review. The release files ship with the package; nothing needs to be built first.

Start here:
  ifnonto queries                                   list the packaged questions
  ifnonto queries entity-profile                    what one query asks for, with example values
  ifnonto query entity-profile --param entity=PD-L1 run it (an entity by id, label or synonym)
  ifnonto sparql 'SELECT ?x WHERE { ?x a ifn:Interferon }'   your own query (prefixes predefined)
  ifnonto validate my-additions.ttl                 check your own triples against the shapes and the ontology
"""
EPILOG = ("Exit codes: 0 ok, 1 findings (violations, inconsistency, stale release), 2 bad input or usage, "
          "3 a required external tool (Java) is missing. `ifnonto COMMAND --help` documents each command.")
MAX_TIMEOUT = 7 * 24 * 3600.0
MAX_QUERY_FILE = 1_000_000


def _print(text: str = "") -> None:
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")


def _seconds(text: str) -> float:
    """An argparse type for --timeout: a finite, positive number of seconds (inf, nan and 1e300 are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0 or value > MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0 and at most {MAX_TIMEOUT:g} "
                                         f"(a week), got {text!r}")
    return value


def _terminal_width() -> int | None:
    """The width to fit tables into: the terminal's, or $COLUMNS; None when the output is not a terminal."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def _show(result, args) -> None:
    from ifnonto.formats import render

    width = None if args.wide or args.no_truncate else _terminal_width()
    sys.stdout.write(render(result, args.format, width=width, truncate=not args.no_truncate))


# ---------------------------------------------------------------------------------------------- commands

def cmd_build(args) -> int:
    from ifnonto.build import build, render

    source = Path(args.source) if args.source else None
    out = Path(args.out) if args.out else None
    if args.docs:
        from ifnonto.atomic import write_text
        from ifnonto.schema_outputs import generated_files

        files = generated_files()
        for path, text in sorted(files.items()):
            write_text(path, text)
        _print("wrote " + ", ".join(str(path) for path in sorted(files)))
        return EXIT_OK
    if out is not None:
        _recover(out)
    if args.check:
        return _check_release_current(lambda: render(source, inferred=not args.no_reason, out_dir=out))
    from ifnonto import progress

    with progress.steps(args.quiet) as show:
        show("compiling the tables" + ("" if args.no_reason else ", reasoning (HermiT on the TBox, rules)")
             + " and writing the release files")
        result = build(source, inferred=not args.no_reason, out_dir=out)
    _print(f"built {len(result.files)} release files: {result.asserted_triples} asserted triples, "
           f"{result.inferred_triples} inferred")
    for name, value in sorted(result.counts.items()):
        _print(f"  {name}: {value}")
    return EXIT_OK


def _check_release_current(render) -> int:
    from ifnonto.gate import stale_files

    result = render()
    stale = stale_files(result.files)
    for path in stale:
        _print(f"stale: {path} differs from what `ifnonto build` makes from the sources")
    if stale:
        return EXIT_FINDINGS
    _print(f"release files are current ({len(result.files)} files)")
    return EXIT_OK


def cmd_check(args) -> int:
    """The gate (ifnonto.gate): the release is what the sources give, QC, SHACL, reasoner consistency."""
    from ifnonto.gate import run_gate

    return EXIT_OK if run_gate(say=_print).ok else EXIT_FINDINGS


def cmd_reason(args) -> int:
    from ifnonto import paths
    from ifnonto.loading import load_graph
    from ifnonto.reason import reason

    from ifnonto import progress

    files = [paths.release_file("nt")] + [Path(f) for f in args.files]
    with progress.steps(args.quiet) as show:
        show("reading the release" + (" and your files" if args.files else ""))
        if args.reasoner == "rules":
            from ifnonto.loading import load_triples
            from ifnonto.reason import run_tbox_then_rules

            triples = load_triples(files)
            show("reasoning: HermiT on the TBox, rules on the individuals")
            result = run_tbox_then_rules(triples)
            if not result.consistent and args.files and \
                    sum(Path(f).stat().st_size for f in args.files) < 10_000_000:
                show("explaining the contradiction")
                result.explanation = reason(load_graph(files), "rules").explanation
        else:
            graph = load_graph(files)
            show(f"reasoning with {args.reasoner} (Java; about a minute)")
            result = reason(graph, args.reasoner)
    if not result.consistent:
        _print("INCONSISTENT: the ontology" + (" with your additions" if args.files else "") + " has no model.")
        for line in result.explanation or ["HermiT found a contradiction that no simple pattern explains"]:
            _print(f"  - {line}")
        return EXIT_FINDINGS
    _print("consistent")
    if result.unsatisfiable:
        _print("unsatisfiable classes: " + ", ".join(result.unsatisfiable))
        return EXIT_FINDINGS
    from rdflib.namespace import RDF

    from ifnonto.formats import shorten

    from ifnonto.reference_terms import curie_of

    counts: dict[str, int] = {}
    for _s, p, o in result.inferred:
        reference = curie_of(str(o)) if p == RDF.type else None  # one line per source, not per imported class
        key = (f"type {reference.split(':')[0]} class (reference ontology)" if reference
               else f"type {shorten(str(o))}" if p == RDF.type else shorten(str(p)))
        counts[key] = counts.get(key, 0) + 1
    _print(f"{len(result.inferred)} inferred triples:")
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: args.top]:
        _print(f"  {n:6d}  {key}")
    return EXIT_OK


def cmd_validate(args) -> int:
    from ifnonto import progress
    from ifnonto.validate import validate_files, validate_release

    with progress.steps(args.quiet) as show:
        findings = validate_files([Path(f) for f in args.files], show=show) if args.files \
            else validate_release(show=show)
    for f in findings:
        _print(f"{f.severity}: focus {f.focus}\n  path: {f.path or '-'}\n  value: {f.value or '-'}\n"
               f"  message: {f.message}\n  shape: {f.shape}")
    _print(f"{len(findings)} violation(s)" if findings else "conforms: no violations")
    return EXIT_FINDINGS if findings else EXIT_OK


def cmd_queries(args) -> int:
    from ifnonto.queries import get_query, registry

    if args.name:
        return _describe_query(get_query(args.name), args)
    for name, query in registry().items():
        params = ", ".join(f"{p.name}:{p.type}" + ("..." if p.multiple else "")
                           + (f"={p.default}" if p.default else "") for p in query.params)
        _print(f"{name}\n    {query.title}" + (f"\n    params: {params}" if params else ""))
    if sys.stdout.isatty():
        _print("\n`ifnonto queries NAME` shows a query's parameters with their valid values.")
    return EXIT_OK


def _describe_query(query, args) -> int:
    import textwrap

    from ifnonto.queries import parameter_values

    _print(f"{query.name}: {query.title}")
    _print(textwrap.fill(query.description, width=100, initial_indent="  ", subsequent_indent="  "))
    if query.requires_inference:
        _print("  (relies on the reasoner's conclusions: run it on the inferred release)")
    if not query.params:
        _print("parameters: none")
    else:
        _print("parameters:")
        engine = None
        for param in query.params:
            several = "; several values allowed (repeat --param)" if param.multiple else ""
            _print(f"  {param.name}  (type {param.type}; default {param.default or 'none: all when omitted'}"
                   f"{several})")
            _print(f"      {param.description}")
            if param.type == "iri":
                if engine is None:
                    engine = _engine(args)
                values, complete = parameter_values(param, engine)
                if values:
                    what = "one of" if complete else "for example"
                    _print(textwrap.fill(f"{what}: {', '.join(values)}", width=100, initial_indent="      ",
                                         subsequent_indent="        "))
                _print("      an entity may be given by id, label or synonym, in any case")
    example = " ".join(f"--param {p.name}={p.default}" for p in query.params if p.default)
    _print(f"run: ifnonto query {query.name}" + (f" {example}" if example else ""))
    return EXIT_OK


def _engine(args):
    from ifnonto.engines import make_engine

    if getattr(args, "endpoint", None):
        from ifnonto.http import ask_password

        return make_engine("remote", endpoint=args.endpoint, user=args.user,
                           password=ask_password(args.user, args.password),
                           timeout=args.timeout or 60.0, default_graph=args.graph)
    from ifnonto.engines import default_data

    return make_engine(getattr(args, "engine", "oxigraph"),
                       default_data(inferred=not getattr(args, "asserted", False)))


def cmd_query(args) -> int:
    from ifnonto.queries import bind_values, get_query, parse_param_args, resolve_entities

    query = get_query(args.name)
    values = parse_param_args(args.param, query)
    engine = _engine(args)
    bindings = bind_values(query, resolve_entities(query, values, engine))
    result = engine.select(query.text, bindings, timeout=args.timeout)
    _show(result, args)
    return EXIT_OK


_QUERY_WORDS = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|PREFIX|BASE|WHERE)\b|[{}?$]", re.I)


def read_query_argument(source: str) -> str:
    """The query text: the argument itself, or the file it names. A name that looks like a path (no query
    keyword or brace in it, or ending in .rq/.sparql) must be a readable regular file."""
    looks_like_path = source.endswith((".rq", ".sparql")) or not _QUERY_WORDS.search(source)
    if not looks_like_path or "\n" in source:
        return source
    try:
        info = os.stat(source)
    except FileNotFoundError:
        raise IfnontoError("no such file (give a query file or the query text)", path=source) from None
    except OSError as exc:
        raise IfnontoError(f"cannot read: {exc.strerror or exc}", path=source) from None
    if not stat.S_ISREG(info.st_mode):
        raise IfnontoError("not a regular file", path=source)
    if info.st_size > MAX_QUERY_FILE:
        raise IfnontoError(f"query file larger than {MAX_QUERY_FILE} bytes", path=source)
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IfnontoError(f"cannot read: {exc}", path=source) from None


def with_prefixes(text: str) -> str:
    """The query with the release's prefixes it does not declare itself, all on one line before the user's first
    (a message's line number is one less in the user's text). The line break matters: rdflib reads the rest of
    a line after a `#` inside an IRI as a comment when the query has a SERVICE clause."""
    from ifnonto.iris import PREFIXES

    declared = {m.lower() for m in re.findall(r"PREFIX\s+([A-Za-z][\w.-]*|):", text, re.I)}
    missing = [f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items() if p.lower() not in declared]
    return " ".join(missing) + "\n" + text if missing else text


def run_adhoc(text: str, args):
    """The one place where an ad-hoc query is checked and run (refusals, then the engine)."""
    from ifnonto.iris import PREFIXES
    from ifnonto.sparql_guard import check_query

    from ifnonto.engines import syntax_error
    from ifnonto.sparql_guard import QuerySyntaxError

    full = with_prefixes(text)
    try:
        check_query(full, allow_service=True, remote_dataset=True)  # syntax only here; refusals below
    except QuerySyntaxError as exc:
        reason, line, column = exc.syntax
        if line and full != text:  # the predefined prefixes take one line in front of the user's first
            line = max(1, line - 1)
        raise syntax_error(reason, text, line, column) from None
    if getattr(args, "endpoint", None):  # the remote store resolves FROM itself; no local engine runs the query
        check_query(full, allow_service=args.allow_service, remote_dataset=True)
        engine = _engine(args)
        result = engine.run(full, None, timeout=args.timeout)
        select = lambda q: engine.select(q, None, timeout=args.timeout).rows  # noqa: E731
    else:
        # a crash or runaway query ends in a killed worker process, not here; the worker checks the query first
        from ifnonto.engines import default_data
        from ifnonto.query_sandbox import run_isolated_query

        data = default_data(inferred=not args.asserted)
        result = run_isolated_query(args.engine, data, text, allow_service=args.allow_service,
                                    timeout=args.timeout, prefixes=PREFIXES, checked_text=full)
        select = lambda q: run_isolated_query("oxigraph", data, q, timeout=args.timeout).rows  # noqa: E731
    if _is_empty(result):  # a typo in a term gives no answer: say so instead of "0 rows", exit 0
        from ifnonto.iris import BASE
        from ifnonto.query_terms import NAMES_QUERY, check_terms

        check_terms(full, select, lambda: [row[0] for row in select(NAMES_QUERY % BASE)])
    return result


def _is_empty(result) -> bool:
    from ifnonto.queries import GraphResult

    if isinstance(result, GraphResult):
        return len(result) == 0
    return result.boolean is False or (result.boolean is None and not result.rows)


def cmd_sparql(args) -> int:
    text = read_query_argument(args.query)
    result = run_adhoc(text, args)
    _show(result, args)
    return EXIT_OK


def cmd_prefixes(args) -> int:
    from ifnonto.iris import PREFIXES

    width = max(len(p) for p in PREFIXES) + 1
    for prefix, iri in PREFIXES.items():
        _print(f"{(prefix + ':').ljust(width)}  {iri}")
    return EXIT_OK


def cmd_export(args) -> int:
    from ifnonto import paths
    from ifnonto.atomic import write_text

    source = paths.release_file(args.format, inferred=args.inferred)
    if not source.is_file():
        raise IfnontoError(f"release file {source} is missing: run `ifnonto build`")
    text = source.read_text(encoding="utf-8")
    if args.output:
        write_text(export_target(Path(args.output)), text)
        _print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def export_target(path: Path) -> Path:
    """Refuse to replace anything but a regular file outside the release: no devices, FIFOs, sockets,
    directories or symbolic links (replacing them would turn them into regular files), and no release file."""
    from ifnonto import paths

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise IfnontoError(f"cannot write: {exc.strerror or exc}", path=str(path)) from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise IfnontoError("is a symbolic link: give the path of a regular file", path=str(path))
        if stat.S_ISDIR(info.st_mode):
            raise IfnontoError("is a directory: give a file name", path=str(path))
        if not stat.S_ISREG(info.st_mode):
            raise IfnontoError("is not a regular file (a device, FIFO or socket): refused", path=str(path))
    if not path.parent.is_dir():
        raise IfnontoError("the folder does not exist", path=str(path))
    release = paths.ONTOLOGY_DIR.resolve()
    target = path.resolve()
    if target.parent == release or release in target.parents:
        raise IfnontoError("is inside the release folder: export writes copies elsewhere (the release files "
                           "are made by `ifnonto build`)", path=str(path))
    return path


def cmd_load(args) -> int:
    from ifnonto.triplestore import DEFAULT_GRAPH, Endpoints, load_release

    endpoints = Endpoints.derive(args.endpoint, args.update_endpoint, args.store_endpoint, args.graph_param)
    graph = args.graph or DEFAULT_GRAPH
    from ifnonto.http import ask_password

    report = load_release(endpoints, graph, inferred=args.inferred, user=args.user,
                          password=ask_password(args.user, args.password),
                          timeout=args.timeout, data_file=Path(args.file) if args.file else None)
    kind = f"file {args.file}" if args.file else "inferred release" if args.inferred else "asserted release"
    _print(f"loaded the {kind} into <{report.graph}> at {endpoints.query}: {report.triples} triples "
           f"(the previous content of that graph was replaced in one step)")
    return EXIT_OK


def cmd_serve(args) -> int:
    from ifnonto.engines import default_data
    from ifnonto.serve import serve_forever

    files = [Path(f) for f in args.files] if args.files else default_data(inferred=not args.asserted)
    serve_forever(files, args.host, args.port, args.allow_service, _print, workers=args.workers,
                  timeout=args.timeout)
    return EXIT_OK


def cmd_info(args) -> int:
    from ifnonto.info import info_report

    sys.stdout.write(info_report())
    return EXIT_OK


def cmd_docs(args) -> int:
    from ifnonto.site import build_site

    report = build_site(Path(args.output))
    parts = ", ".join(f"{n} {kind}" for kind, n in report.pages.items())
    _print(f"built the documentation site in {report.out_dir}: {report.total_pages} pages ({parts}), "
           f"{report.figures} figures; open {report.out_dir / 'index.html'}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from ifnonto.demo import run_demo

    return run_demo(_print)


# ---------------------------------------------------------------------------------------------- parser

class Parser(argparse.ArgumentParser):
    """Usage errors in one line, with the exit code for bad usage."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _add_output_options(p: argparse.ArgumentParser, default: str | None = "table") -> None:
    from ifnonto.formats import GRAPH_FORMATS, TABLE_FORMATS

    p.add_argument("--format", choices=TABLE_FORMATS + GRAPH_FORMATS, default=default,
                   help="table (default, fits the terminal), csv, tsv, json (W3C SPARQL 1.1 Query Results JSON), "
                        "json-simple ({columns, rows}); for CONSTRUCT/DESCRIBE: turtle (default), ntriples, "
                        "jsonld, rdfxml")
    p.add_argument("--wide", action="store_true", help="do not fit the table to the terminal width")
    p.add_argument("--no-truncate", action="store_true", help="never shorten a cell (implies --wide)")


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("oxigraph", "rdflib"), default="oxigraph",
                   help="local SPARQL engine (default: oxigraph; rdflib is slower and runs in a child process)")
    p.add_argument("--asserted", action="store_true", help="query the asserted release instead of the inferred one")
    p.add_argument("--endpoint", metavar="URL", help="run against a remote SPARQL endpoint instead of the release")
    p.add_argument("--graph", metavar="IRI", help="with --endpoint: the named graph to query as default graph")
    p.add_argument("--user", help="with --endpoint: user name")
    p.add_argument("--password", help="with --endpoint: password (better: the IFNONTO_PASSWORD environment variable, "
                                      "or a prompt)")
    p.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                   help="give up after this many seconds (local engine or remote endpoint)")


def _query_epilog() -> str:
    try:
        from ifnonto.queries import registry

        names = ", ".join(registry())
    except IfnontoError:
        return ""
    import textwrap

    return "queries: " + textwrap.fill(names, width=100, subsequent_indent="  ")


def make_parser() -> argparse.ArgumentParser:
    from ifnonto.version import __version__

    quiet = Parser(add_help=False)
    quiet.add_argument("-q", "--quiet", action="store_true", help="no progress display (it is shown only on a "
                       "terminal anyway)")
    parser = Parser(prog="ifnonto", description=DESCRIPTION, epilog=EPILOG,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ifnonto {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")

    p = sub.add_parser("queries", help="list the packaged queries, or describe one with its parameters",
                       description="Without NAME: every packaged query with its title and parameters. With NAME: "
                                   "its description and each parameter's type, default and valid values.")
    p.add_argument("name", nargs="?", help="a query name, e.g. entity-profile")
    p.set_defaults(func=cmd_queries, engine="oxigraph", asserted=False, endpoint=None)

    p = sub.add_parser("query", help="run a packaged query", formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Run one of the packaged queries on the release (or on --endpoint). "
                                   "`ifnonto queries NAME` lists its parameters and their valid values.",
                       epilog=_query_epilog())
    p.add_argument("name", help="the query's name (see `ifnonto queries`)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value, once per parameter; an entity may be given by id (CD274), label "
                        "(PD-L1) or synonym, in any case, or as a full IRI")
    _add_engine_options(p)
    _add_output_options(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("sparql", help="run your own SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE)",
                       description="Run an ad-hoc query, given as text or as a .rq file. The prefixes of the "
                                   "release are predefined (`ifnonto prefixes`).")
    p.add_argument("query", help="the query text, or the path of a file holding it")
    p.add_argument("--allow-service", action="store_true", help="allow SERVICE clauses (off by default)")
    _add_engine_options(p)
    _add_output_options(p, default=None)
    p.set_defaults(func=cmd_sparql)

    p = sub.add_parser("prefixes", help="list the prefixes predefined in `ifnonto sparql`")
    p.set_defaults(func=cmd_prefixes)

    p = sub.add_parser("validate", parents=[quiet],
                       help="check your own RDF files (or the release) with the SHACL shapes and the vocabulary",
                       description="Validate your files together with the release: SHACL findings on your "
                                   "nodes, and every property or class you use that the ontology does not declare "
                                   "(with the closest declared names). Without files: the release itself.")
    p.add_argument("files", nargs="*", help="RDF files (Turtle, N-Triples, RDF/XML, JSON-LD, TriG, N-Quads)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("reason", parents=[quiet], help="run a DL reasoner on the release and your extension files",
                       description="Consistency, unsatisfiable classes and what is inferred; contradictions "
                                   "are explained in plain words.")
    p.add_argument("files", nargs="*", help="extension files (Turtle, RDF/XML, JSON-LD, N-Triples)")
    p.add_argument("--top", type=int, default=40, help="how many kinds of inference to list (default 40)")
    p.add_argument("--reasoner", choices=("rules", "hermit", "pellet"), default="rules",
                   help="rules (default): HermiT classifies the TBox and forward rules derive the individuals' "
                        "conclusions, near-linear in size and identical to HermiT's on the release; hermit or "
                        "pellet: the DL tableau on everything (pellet needs Java 25+: pip install 'ifnonto[pellet]')")
    p.set_defaults(func=cmd_reason)

    p = sub.add_parser("info", help="header, counts and coverage report")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("export", help="write a release serialization to stdout or a file")
    p.add_argument("--format", choices=("owl", "ttl", "nt", "jsonld"), required=True,
                   help="owl (RDF/XML), ttl (Turtle), nt (N-Triples) or jsonld")
    p.add_argument("--inferred", action="store_true", help="the release with the reasoner's conclusions")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to this regular file (replaced whole, never half-written) instead of stdout")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("load", help="load the release into a remote triplestore, replacing a named graph atomically")
    p.add_argument("--endpoint", required=True, help="SPARQL query endpoint URL (e.g. http://host:7878/query)")
    p.add_argument("--update-endpoint", help="SPARQL update URL (default: derived from --endpoint)")
    p.add_argument("--store-endpoint", help="Graph Store Protocol URL (default: derived from --endpoint)")
    p.add_argument("--graph-param", help="Graph Store query parameter naming the graph (graph; Virtuoso: graph-uri)")
    p.add_argument("--graph", help="target named graph IRI (default: the ontology IRI)")
    p.add_argument("--inferred", action="store_true", help="load the inferred release")
    p.add_argument("--file", help="load this RDF file (e.g. your own extension) instead of the release")
    p.add_argument("--user", help="user name for an authenticated endpoint")
    p.add_argument("--password", help="password (better: the IFNONTO_PASSWORD environment variable, or a prompt)")
    p.add_argument("--timeout", type=_seconds, default=3600.0, metavar="SECONDS",
                   help="total seconds for each HTTP request, answer included (default 3600: a 100x file loads)")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("serve", help="a local read-only SPARQL endpoint over the release")
    p.add_argument("files", nargs="*", help="RDF files to serve (default: the inferred release)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.add_argument("--port", type=int, default=7879, help="port (default 7879)")
    p.add_argument("--asserted", action="store_true", help="serve the asserted release instead of the inferred one")
    p.add_argument("--allow-service", action="store_true", help="allow SERVICE clauses (off by default)")
    p.add_argument("--workers", type=int, default=0, help="query worker processes (default: one per CPU, at least 2)")
    p.add_argument("--timeout", type=_seconds, default=60.0, metavar="SECONDS",
                   help="seconds a query may run before it is stopped (default 60)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("build", parents=[quiet], help="(curators) compile ontology/src into the release files")
    p.add_argument("--no-reason", action="store_true", help="skip the inferred release (no Java needed)")
    p.add_argument("--check", action="store_true", help="only check that the release files are current")
    p.add_argument("--docs", action="store_true",
                   help="only regenerate what the table schema drives: docs/CURATION.md columns, generated shapes")
    p.add_argument("--source", help="curated sources folder (default: ontology/src)")
    p.add_argument("--out", help="folder for the release files (default: ontology/)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", parents=[quiet],
                       help="(curators) every check, the CI gate: reproducible release, QC, SHACL, reasoner")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("docs", help="build the static documentation site (pages, figures, search) from the release")
    p.add_argument("-o", "--output", default="site", help="output folder, replaced as a whole (default: site)")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("demo", parents=[quiet], help="build, reason, validate and run every packaged query")
    p.set_defaults(func=cmd_demo)
    return parser


def _recover(folder: Path) -> None:
    """Finish or undo a release switch that a killed build left in ``folder`` (see ifnonto.atomic)."""
    from ifnonto.atomic import recover_release, remove_orphaned_temp_folders

    try:
        remove_orphaned_temp_folders()
        outcome = recover_release(folder)
    except OSError as exc:
        raise IfnontoError(f"cannot repair the interrupted build in {folder}: {exc.strerror or exc}") from None
    if outcome:
        sys.stderr.write(f"ifnonto: {folder}: {outcome}\n")


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if getattr(args, "quiet", False):
        from ifnonto import progress

        progress.set_quiet(True)
    try:
        from ifnonto import paths

        _recover(paths.ONTOLOGY_DIR)
        return args.func(args)
    except IfnontoError as exc:
        sys.stderr.write(f"ifnonto {args.command}: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # e.g. a read-only ontology/ folder during `build`, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"ifnonto {args.command}: error: {where}{exc.strerror or exc}\n")
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
