"""Load on `westphalia serve`: requests/s and latency per endpoint, as ratios to /api/health.

Usage:
    .venv/bin/python benchmarks/load.py --synthetic 400 --clients 20 --seconds 5

Builds a store in a temporary folder (not timed) from `--synthetic` generated articles
(westphalia.synthetic) or the first `--limit` records of a JSONL `--corpus` (or serves an
existing `--store`), starts
`westphalia serve` on it in a subprocess, then runs, in this one asyncio process:
  per endpoint  `--clients` concurrent clients (one keep-alive connection each) request that
                endpoint back to back for `--seconds`: requests/s, p50 and p99 latency, errors;
  mixed         the same clients cycle through every endpoint for `--seconds`.
/api/health (one count per table) is the baseline: the least a request through the app costs.
Ratios: the endpoint's requests/s and p50 against the baseline's, measured in the same run.
An error is any status but 200 or a failed connection; the script exits 1 if there is one.
Client and server share the machine, so absolute figures are a floor on a loaded 2-core box.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from itertools import cycle, islice
from pathlib import Path

import httpx

STARTUP_SECONDS = 60  # serve imports FastAPI and opens the store: ~3 s idle, far more under load
TIMEOUT_SECONDS = 30  # per request; a request slower than this is an error


@dataclass
class Tally:
    """Latencies (seconds) and errors of one endpoint in one phase."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _build_store(directory: Path, args: argparse.Namespace) -> Path:
    """Ingest the articles with `westphalia ingest`, as a user would."""
    from westphalia.synthetic import synthetic_articles

    source, store = directory / "articles.jsonl", directory / "load.duckdb"
    if args.corpus:
        with args.corpus.open() as src, source.open("w") as dst:
            dst.writelines(islice(src, args.limit))
    else:
        records = synthetic_articles(args.synthetic, seed=7)
        source.write_text("".join(json.dumps(r) + "\n" for r in records))
    ingest = [sys.executable, "-m", "westphalia", "ingest", str(source), "--store", str(store)]
    subprocess.run([*ingest, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    return store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(store: Path, port: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "westphalia", "serve", "--store", str(store), "--port", str(port)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"westphalia serve exited: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).raise_for_status()
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"westphalia serve did not answer within {STARTUP_SECONDS} s")


def _endpoints(base: str) -> dict[str, str]:
    """The main endpoints, with ids and actor codes taken from the store being served."""
    network = httpx.get(base + "/api/network", timeout=TIMEOUT_SECONDS).json()
    if not network["edges"]:
        raise SystemExit("no dyad has events in this store; raise --synthetic or --limit")
    top = max(network["edges"], key=lambda e: e["events"])
    a, b = top["source"], top["target"]
    event = httpx.get(base + f"/api/events?actor={a}&limit=1", timeout=TIMEOUT_SECONDS).json()
    event = event["events"][0]
    return {
        "health (baseline)": "/api/health",
        "dashboard /": "/",
        "network": "/api/network",
        f"dyad {a}-{b}": f"/api/dyads/{a}/{b}",
        f"events actor={a}": f"/api/events?actor={a}&limit=200",
        "event by id": f"/api/events/{event['id']}",
        "article by id": f"/api/articles/{event['article_id']}",
        "actors": "/api/actors",
    }


async def _client(
    client: httpx.AsyncClient,
    paths: list[tuple[str, str]],
    start: int,
    deadline: float,
    tallies: dict[str, Tally],
) -> None:
    for name, path in islice(cycle(paths), start, None):
        if time.perf_counter() >= deadline:
            return
        began = time.perf_counter()
        try:
            response = await client.get(path)
            ok, problem = response.status_code == 200, f"HTTP {response.status_code}"
        except httpx.HTTPError as e:
            ok, problem = False, f"{type(e).__name__}: {e}"
        tallies[name].latencies.append(time.perf_counter() - began)
        if not ok:
            tallies[name].errors.append(problem)


async def _phase(
    base: str, paths: dict[str, str], *, clients: int, seconds: float
) -> tuple[dict[str, Tally], float]:
    """`clients` clients cycling through `paths` for `seconds`; the tallies and the time taken."""
    tallies = {name: Tally() for name in paths}
    items = list(paths.items())
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    sessions = [
        httpx.AsyncClient(base_url=base, limits=limits, timeout=TIMEOUT_SECONDS)
        for _ in range(clients)
    ]
    began = time.perf_counter()
    deadline = began + seconds
    await asyncio.gather(*(_client(s, items, i, deadline, tallies) for i, s in enumerate(sessions)))
    elapsed = time.perf_counter() - began  # past the deadline by the last requests in flight
    for s in sessions:
        await s.aclose()
    return tallies, elapsed


def _row(name: str, tally: Tally, elapsed: float, base: tuple[float, float] | None) -> str:
    rate, p50, p99 = len(tally.latencies) / elapsed, tally.percentile(0.5), tally.percentile(0.99)
    ratios = f"{rate / base[0]:6.2f} {p50 / base[1]:7.2f}" if base else f"{'':6} {'':7}"
    return (
        f"{name:<22} {len(tally.latencies):>7,} {rate:>8.1f} {p50 * 1000:>8.1f} {p99 * 1000:>8.1f} "
        f"{len(tally.errors):>6} {ratios}"
    )


async def _measure(base: str, args: argparse.Namespace) -> int:
    paths = _endpoints(base)
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_SECONDS) as warm:
        for path in paths.values():  # warm up: one request per endpoint
            (await warm.get(path)).raise_for_status()
    header = f"{'endpoint':<22} {'requests':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'x req/s':>6} {'x p50':>7}"
    print(f"{args.clients} clients, {args.seconds:g} s per endpoint; ratios to /api/health")
    print(header)
    errors: list[str] = []
    baseline: tuple[float, float] | None = None
    for name, path in paths.items():
        tallies, elapsed = await _phase(
            base, {name: path}, clients=args.clients, seconds=args.seconds
        )
        tally = tallies[name]
        if baseline is None:
            baseline = (len(tally.latencies) / elapsed, tally.percentile(0.5))
        print(_row(name, tally, elapsed, baseline), flush=True)
        errors += [f"{name}: {e}" for e in tally.errors]
    tallies, elapsed = await _phase(base, paths, clients=args.clients, seconds=args.seconds)
    mixed = Tally(
        [t for tally in tallies.values() for t in tally.latencies],
        [e for tally in tallies.values() for e in tally.errors],
    )
    print(_row("mixed (all endpoints)", mixed, elapsed, baseline))
    errors += [f"mixed: {e}" for e in mixed.errors]
    for problem in sorted(set(errors))[:10]:
        print("error:", problem)
    return 1 if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--synthetic", type=int, default=400, help="generated articles to ingest")
    parser.add_argument("--corpus", type=Path, help="JSONL with a text field, instead")
    parser.add_argument("--limit", type=int, default=1000, help="records of --corpus to ingest")
    parser.add_argument("--store", type=Path, help="serve this store instead of building one")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each phase")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or _build_store(Path(tmp), args)
        port = _free_port()
        proc = _serve(store, port)
        try:
            base = f"http://127.0.0.1:{port}"
            health = httpx.get(base + "/api/health").json()
            print(
                f"store: {health['articles']:,} articles, {health['events']:,} events; "
                "server: westphalia serve (one uvicorn worker)"
            )
            code = asyncio.run(_measure(base, args))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    sys.exit(code)


if __name__ == "__main__":
    main()
