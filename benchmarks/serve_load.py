"""Load test: `ifnonto serve` against an Oxigraph server (`oxigraph serve`) on the same data, same clients, one run.

    .venv/bin/python benchmarks/serve_load.py [--seconds 8] [--clients 20,200]

Both servers run on loopback ports and serve the inferred release. Each phase runs C concurrent keep-alive
clients (asyncio + httpx, in this process) for a fixed time, cycling through every packaged query with its
default parameters, and counts requests that did not return HTTP 200 (errors, resets, timeouts). Bounded: a
fixed number of phases of a fixed duration, loopback only. Prints one table with requests/s and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from ifnonto import paths  # noqa: E402
from ifnonto.engines import with_values_clause  # noqa: E402
from ifnonto.queries import bind_values, registry  # noqa: E402
from servers import free_port, oxigraph_binary, wait_for  # noqa: E402

RELEASE = paths.release_file("nt", inferred=True)


def workload() -> list[str]:
    """Every packaged query, parameters bound to their defaults (as text: both servers get the same bytes)."""
    texts = []
    for query in registry().values():
        texts.append(with_values_clause(query.text, bind_values(query, {})))
    return texts


async def phase(url: str, queries: list[str], clients: int, seconds: float) -> tuple[int, int, float]:
    import httpx

    ok = errors = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(limits=limits, timeout=60, trust_env=False) as session:
        async def client(offset: int) -> None:
            nonlocal ok, errors
            n = offset
            while time.monotonic() < stop:
                text = queries[n % len(queries)]
                n += 1
                try:
                    answer = await session.post(url, data={"query": text},
                                                headers={"Accept": "application/sparql-results+json"})
                    if answer.status_code == 200:
                        ok += 1
                    else:
                        errors += 1
                except Exception:  # noqa: BLE001 - a reset or timeout is an error to count
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(client(i) for i in range(clients)))
        elapsed = time.monotonic() - started
    return ok, errors, elapsed


async def warm_up(url: str, queries: list[str], rounds: int = 4) -> None:
    """Every query a few times on each server before timing (ifnonto's workers cache their safety verdicts)."""
    import httpx

    async with httpx.AsyncClient(timeout=60, trust_env=False) as session:
        for _ in range(rounds):
            await asyncio.gather(*(session.post(url, data={"query": text}) for text in queries))


def start_oxigraph(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/query?query=ASK%7B%7D")
    import httpx

    with open(RELEASE, "rb") as handle:
        answer = httpx.post(f"{base}/store?default", content=handle.read(),
                            headers={"Content-Type": "application/n-triples"}, timeout=300)
    answer.raise_for_status()
    return process, f"{base}/query"


def start_ifnonto(workers: int) -> tuple[subprocess.Popen, str]:
    import json

    port = free_port()
    command = [sys.executable, "-m", "ifnonto", "serve", str(RELEASE), "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = json.loads(process.stdout.readline())["endpoint"]
    return process, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each phase (max 30)")
    parser.add_argument("--clients", default="20,200", help="comma-separated client counts")
    parser.add_argument("--workers", type=int, default=0, help="ifnonto serve worker processes (0: default)")
    args = parser.parse_args()
    seconds = min(args.seconds, 30.0)
    counts = [int(c) for c in args.clients.split(",")][:4]
    queries = workload()
    if oxigraph_binary() is None:
        sys.exit("the oxigraph server binary is not installed (pip install oxigraph)")
    folder = Path(tempfile.mkdtemp(prefix="serve-load-"))
    servers = {}
    try:
        servers["oxigraph serve"] = start_oxigraph(folder)
        servers["ifnonto serve"] = start_ifnonto(args.workers)
        rows = []
        for clients in counts:
            results = {}
            for name, (_, url) in servers.items():
                asyncio.run(warm_up(url, queries))
                results[name] = asyncio.run(phase(url, queries, clients, seconds))
            rows.append((clients, results))
    finally:
        for process, _ in servers.values():
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{len(queries)} packaged queries cycled; {seconds:g} s per phase; loopback; one run")
    print(f"{'clients':>7}  {'server':<15} {'ok':>7} {'errors':>6} {'req/s':>8}  ratio to oxigraph")
    for clients, results in rows:
        base_ok, _, base_elapsed = results["oxigraph serve"]
        base_rate = base_ok / base_elapsed
        for name, (ok, errors, elapsed) in results.items():
            rate = ok / elapsed
            print(f"{clients:>7}  {name:<15} {ok:>7} {errors:>6} {rate:>8.1f}  {rate / base_rate:.2f}x")


if __name__ == "__main__":
    main()
