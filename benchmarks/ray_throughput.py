"""The Ray path against the local path, and its scaling as nodes join a local Ray cluster.

Usage:
    .venv/bin/python benchmarks/ray_throughput.py ../shared/corpora/reuters21578.jsonl --limit 2000

In this one command, on the first `--limit` records of the corpus, each case in turn:
  local          `westphalia ingest` as it runs on one machine (parse.processes=0: one process
                 per core, the coding process and parse workers), the baseline;
  ray, N node(s) `westphalia ingest --ray ADDRESS` on a local cluster (ray.cluster_utils.Cluster)
                 of N nodes with --cpus CPUs each, started before the clock starts (a cluster is
                 a standing resource); its start-up time is reported apart.

Each case reports its wall time, articles per second and the ratio of its wall time to the local
run's, and checks that its store holds the same articles, stories and events (content hashes)
as the local one. On one machine the nodes share its cores: adding nodes adds workers, not
cores, so the figure to read is how close N nodes of one CPU come to one node of N CPUs.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _corpus import corpus_parser, write_subset

from westphalia import cluster, load_settings, open_store, run
from westphalia.config import Settings


def main() -> None:
    parser = corpus_parser(__doc__, limit_help="records to ingest")
    parser.add_argument("--cpus", type=int, default=1, help="CPUs of each cluster node")
    parser.add_argument("--nodes", type=int, default=2, help="the largest cluster measured")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subset = write_subset(args.corpus, args.limit, Path(tmp))
        local, local_content = _ingest(subset, Path(tmp) / "local.duckdb", None)
        rate = local.new / local.seconds
        print(
            f"{args.limit:,} records: {local.new:,} articles, {local_content[2]:,} events; "
            f"local {local.seconds:.1f} s ({rate:.1f} articles/s)"
        )
        print("| case | cluster start | wall | articles/s | wall ratio to local | same content |")
        print("| --- | --- | --- | --- | --- | --- |")
        print(f"| local (one machine) | - | {local.seconds:.1f} s | {rate:.1f} | 1 | - |")
        shapes = [(1, args.cpus * args.nodes)] + [(n, args.cpus) for n in range(1, args.nodes + 1)]
        for nodes, cpus in shapes:
            started = time.perf_counter()
            address, stop = _start_cluster(nodes, cpus)
            setup = time.perf_counter() - started
            try:
                store = Path(tmp) / f"ray{nodes}x{cpus}.duckdb"
                summary, content = _ingest(subset, store, address)
            finally:
                stop()
            same = "yes" if content == local_content else "NO"
            print(
                f"| ray, {nodes} node{'s' * (nodes > 1)} x {cpus} CPU | {setup:.1f} s | "
                f"{summary.seconds:.1f} s | {summary.new / summary.seconds:.1f} | "
                f"{summary.seconds / local.seconds:.3f} | {same} |"
            )


def _settings(store: Path) -> Settings:
    return load_settings(env={}, values={"store.path": store})


def _ingest(subset: Path, store: Path, address: str | None) -> tuple[object, tuple]:
    settings = _settings(store)
    with open_store(store) as db:
        if address is None:
            summary = run([subset], settings=settings, store=db)
        else:
            summary = cluster.run([subset], settings=settings, store=db, address=address)
        content = tuple(
            tuple(sorted(db.con.execute(sql).fetchall()))
            for sql in (
                "SELECT id, story_id FROM articles",
                "SELECT id FROM stories",
                "SELECT id, count FROM events",
            )
        )
    return summary, (content, len(content[0]), len(content[2]))


def _start_cluster(nodes: int, cpus: int):  # -> (address, stop)
    import ray
    from ray.cluster_utils import Cluster

    cluster_ = Cluster(
        initialize_head=True, head_node_args={"num_cpus": cpus, "include_dashboard": False}
    )
    for _ in range(nodes - 1):
        cluster_.add_node(num_cpus=cpus)
    cluster_.wait_for_nodes()
    ray.init(address=cluster_.address, log_to_driver=False)

    def stop() -> None:
        ray.shutdown()
        cluster_.shutdown()

    return cluster_.address, stop


if __name__ == "__main__":
    main()
