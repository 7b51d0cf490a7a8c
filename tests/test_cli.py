from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from badinput import EXPECTED_REJECTIONS, SIZE_LIMIT, make_bad_input_dir

from westphalia.resources import sample_corpus
from westphalia.store import open_store


def westphalia(
    *args: str, cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "westphalia", *args],
        cwd=cwd,
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_demo_runs_the_pipeline_on_the_sample_corpus(tmp_path: Path) -> None:
    result = westphalia("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "read 20 · new 20 (1 near-duplicates) · duplicates 0 · already stored 0 · stories 19 (19 new) · rejected 0"
        in " ".join(result.stdout.split())
    )
    assert "Nigerian cities" in result.stdout  # the near-duplicate story's headline
    assert (tmp_path / "westphalia-demo.duckdb").exists()


@pytest.mark.slow
def test_ingest_twice_then_list_stories_as_json(tmp_path: Path) -> None:
    with sample_corpus() as corpus:
        first = westphalia("ingest", str(corpus), "--json", cwd=tmp_path)
        second = westphalia("ingest", str(corpus), "--json", cwd=tmp_path)
    assert (first.returncode, second.returncode) == (0, 0)
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert (one["new"], one["stories_total"], one["near_duplicates"]) == (20, 19, 1)
    assert (two["new"], two["known"], two["stories_total"]) == (0, 20, 19)
    stories = [
        json.loads(line)
        for line in westphalia("stories", "--json", cwd=tmp_path).stdout.splitlines()
    ]
    assert len(stories) == 19 and sum(s["n_articles"] for s in stories) == 20
    (pair,) = [s for s in stories if s["n_articles"] == 2]
    assert (pair["first_published"], pair["last_published"]) == ("2025-03-04", "2025-03-05")


@pytest.mark.slow
def test_bad_input_exit_code_and_rejections_listing(tmp_path: Path) -> None:
    root = make_bad_input_dir(tmp_path / "bad")
    result = westphalia(
        "ingest", str(root), "--set", f"ingest.max_file_bytes={SIZE_LIMIT}", cwd=tmp_path
    )
    assert result.returncode == 3
    assert "rejected 8" in result.stdout
    assert "Some items were rejected: see `westphalia rejections` for the list." in result.stderr
    rows = [
        json.loads(line)
        for line in westphalia("rejections", "--json", cwd=tmp_path).stdout.splitlines()
    ]
    assert {Path(r["source"]).name: r["code"] for r in rows} == {
        k: v[0] for k, v in EXPECTED_REJECTIONS.items()
    }


def test_stdin_jsonl(tmp_path: Path) -> None:
    data = b'{"id": "s1", "text": "Japan and India held talks.", "date": "2025-02-02"}\n'
    result = westphalia("ingest", "-", "--json", cwd=tmp_path, stdin=data)
    assert json.loads(result.stdout)["new"] == 1


def test_listing_a_missing_store_is_fatal_with_the_next_command(tmp_path: Path) -> None:
    result = westphalia("stories", "--store", "nope.duckdb", cwd=tmp_path)
    assert result.returncode == 1
    assert " ".join(result.stderr.split()) == (
        "error E006 No store at nope.duckdb. Create it with: westphalia ingest PATHS --store "
        "nope.duckdb (or westphalia demo --store nope.duckdb), or pass --store with an existing "
        "store."
    )


def test_bad_setting_is_fatal_and_lists_every_problem(tmp_path: Path) -> None:
    result = westphalia(
        "ingest", ".", "--set", "dedupe.threshold=7", "--set", "x.y=1", cwd=tmp_path
    )
    assert result.returncode == 1
    assert "dedupe.threshold (from --set) = '7': must be in (0, 1]" in result.stderr
    assert "x.y (from --set): unknown key" in result.stderr


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert westphalia("ingest", cwd=tmp_path).returncode == 2
    assert westphalia("no-such-command", cwd=tmp_path).returncode == 2


def test_strict_stops_at_an_internal_error(tmp_path: Path, monkeypatch, cli) -> None:
    import westphalia.pipeline as pipeline

    monkeypatch.setattr(pipeline, "normalize", lambda article, *, settings: 1 / 0)
    (tmp_path / "a.txt").write_text("Talks resumed.")
    store = str(tmp_path / "s.duckdb")
    assert cli("ingest", str(tmp_path / "a.txt"), "--store", store, "--quiet").exit_code == 4
    with pytest.raises(ZeroDivisionError):
        cli("ingest", str(tmp_path / "a.txt"), "--store", store, "--strict")


@pytest.mark.slow
def test_actors_listing_and_article_mentions_on_the_sample_corpus(tmp_path: Path) -> None:
    assert westphalia("demo", cwd=tmp_path).returncode == 0
    store = ["--store", "westphalia-demo.duckdb"]
    actors = {
        r["code"]: r
        for r in map(
            json.loads, westphalia("actors", *store, "--json", cwd=tmp_path).stdout.splitlines()
        )
    }
    assert {"PAK", "RUS", "CHN", "PAKGOV", "RUSGOV", "IGOIAEA"} <= set(actors)
    assert "Amina Rashid" in actors["PAKGOV"]["entities"]
    assert "Sergei Danilin" in actors["RUSGOV"]["entities"]
    stories = [
        json.loads(x)
        for x in westphalia("stories", *store, "--json", cwd=tmp_path).stdout.splitlines()
    ]
    first = stories[0]["canonical_article_id"]
    rows = [
        json.loads(x)
        for x in westphalia(
            "actors", *store, "--article", first, "--json", cwd=tmp_path
        ).stdout.splitlines()
    ]
    assert rows and all(r["article_id"] == first and r["text"] in r["sentence"] for r in rows)


@pytest.mark.slow
def test_events_dyad_filter_and_show_on_the_sample_corpus(tmp_path: Path) -> None:
    assert westphalia("demo", cwd=tmp_path).returncode == 0
    store = ["--store", "westphalia-demo.duckdb"]
    rows = [
        json.loads(x)
        for x in westphalia(
            "events", *store, "--dyad", "RUS-PAK", "--json", cwd=tmp_path
        ).stdout.splitlines()
    ]
    assert rows and all({r["source"][:3], r["target"][:3]} == {"RUS", "PAK"} for r in rows)
    signed = [r for r in rows if r["code"] == "057" and r["date"] == "2025-01-08"]
    assert {(r["source"], r["target"]) for r in signed} == {("RUS", "PAK"), ("PAK", "RUS")}
    assert all(
        r["quad_class"] == 1 and r["goldstein"] == 8.0 and r["plover"] == "AGREE" for r in signed
    )
    shown = westphalia("show", signed[0]["id"], *store, cwd=tmp_path)
    assert shown.returncode == 0 and "signed" in shown.stdout and "057" in shown.stdout
    missing = westphalia("show", "ffffffff", *store, cwd=tmp_path)
    assert missing.returncode == 2 and "E407 No event with id 'ffffffff'" in missing.stderr


@pytest.mark.slow
def test_eval_scores_a_gold_file_and_writes_predictions(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    records = [
        {
            "id": "g1",
            "date": "2025-03-02",
            "text": "Kenya signed a trade agreement with Uganda on Friday.",
            "expected": [
                {"source": "KEN", "target": "UGA", "code": "PLOVER:AGREE", "cameo_code": "057"}
            ],
        },
        {
            "id": "g2",
            "date": "2025-03-02",
            "text": "Chile condemned Peru for the border incident.",
            "expected": [
                {"source": "CHL", "target": "PER", "code": "PLOVER:ACCUSE", "cameo_code": "111"}
            ],
        },
    ]
    gold.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = westphalia("eval", str(gold), "--predictions", "pred.jsonl", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    scores = {r["measure"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert scores["triples, country level, PLOVER type"]["f1"] == 1.0
    assert scores["CAMEO code only"]["tp"] == 2
    predictions = [json.loads(x) for x in (tmp_path / "pred.jsonl").read_text().splitlines()]
    assert predictions[0] == {
        "id": "g1",
        "events": [{"source": "KEN", "target": "UGA", "code": "057", "plover": "AGREE"}],
    }


HOLDER = """import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read")
print("holding", flush=True)
time.sleep(120)
"""


@contextmanager
def _held(store: Path, mode: str) -> Iterator[str]:
    """Another process holding `store` as an ingest ("write") or a serve ("read") does; yields
    how E005 names it."""
    (store.parent / "hold.py").write_text(HOLDER)
    args = [sys.executable, "hold.py", store.name, mode]
    proc = subprocess.Popen(args, cwd=store.parent, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "holding\n"
        yield f"PID {proc.pid}: {Path(sys.executable).name} hold.py {store.name} {mode}"
    finally:
        proc.kill()
        proc.wait()


def _in_use(store: str, holder: str) -> str:
    return (
        f"error E005 The store {store} is in use by another process ({holder}), most likely a "
        "westphalia ingest (which holds it until it ends) or serve (until stopped). DuckDB lets "
        "one process write a store, or several read it, not both at once. Wait for the ingest to "
        "finish, stop the server (Ctrl-C), or work on a copy: cp "
        f"{store} copy.duckdb, then pass --store copy.duckdb."
    )


@pytest.mark.parametrize(
    "command",
    [
        ["stories", "--json"],
        ["events", "--json"],
        ["export", "--format", "jsonl", "--out", "events.jsonl"],
    ],
)
def test_read_commands_share_the_store_with_a_reader(tmp_path: Path, command: list[str]) -> None:
    open_store(tmp_path / "s.duckdb").close()
    with _held(tmp_path / "s.duckdb", "read"):
        result = westphalia(*command, "--store", "s.duckdb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_read_command_while_an_ingest_writes_names_the_holder(tmp_path: Path) -> None:
    open_store(tmp_path / "s.duckdb").close()
    with _held(tmp_path / "s.duckdb", "write") as holder:
        result = westphalia("stories", "--store", "s.duckdb", cwd=tmp_path)
    assert result.returncode == 1
    assert " ".join(result.stderr.split()) == _in_use("s.duckdb", holder)


def test_ingest_while_a_server_reads_names_the_holder(tmp_path: Path) -> None:
    open_store(tmp_path / "s.duckdb").close()
    (tmp_path / "a.txt").write_text("Talks resumed.")
    with _held(tmp_path / "s.duckdb", "read") as holder:
        result = westphalia("ingest", "a.txt", "--store", "s.duckdb", cwd=tmp_path)
    assert result.returncode == 1
    assert " ".join(result.stderr.split()) == _in_use("s.duckdb", holder)


@pytest.mark.slow
def test_listings_fit_the_terminal_and_wide_shows_sentences_whole(demo_store: Path) -> None:
    """At 80 columns (a pipe's width) each event is one or two lines no wider than 80, its
    sentence cut with an ellipsis; --wide keeps every word; the demo's summary fits a screen."""
    where, store = demo_store.parent, ["--store", demo_store.name]
    full = [
        json.loads(x) for x in westphalia("events", *store, "--json", cwd=where).stdout.splitlines()
    ]
    listed = westphalia("events", *store, cwd=where).stdout
    lines = listed.rstrip().splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert len(lines) <= 2 * len(full) + 3 and "…" in listed
    longest = max(full, key=lambda r: len(r["sentence"]))
    assert longest["sentence"] not in listed.replace("\n", " ")
    wide = westphalia("events", *store, "--wide", cwd=where).stdout
    assert longest["sentence"] in " ".join(wide.split())
    stories = westphalia("stories", *store, cwd=where).stdout.rstrip().splitlines()
    assert max(len(line.rstrip()) for line in stories) <= 80
    actors = westphalia("actors", *store, cwd=where).stdout.rstrip().splitlines()
    assert max(len(line.rstrip()) for line in actors) <= 80


@pytest.mark.slow
def test_demo_summary_fits_one_screen(tmp_path: Path) -> None:
    result = westphalia("demo", cwd=tmp_path)
    lines = result.stdout.rstrip().splitlines()
    assert len(lines) <= 50 and max(len(line.rstrip()) for line in lines) <= 80
    assert "... and 14 more" in result.stdout  # stories not shown are counted
    assert "westphalia serve --store" in " ".join(result.stdout.split())


# pip's console-script template (what `westphalia` on the PATH is), with a spawned child that
# exits 1 when it imported the CLI module: multiprocessing's re-run of the parent's script
_CONSOLE_SCRIPT = """\
import re
import sys
from westphalia.cli import main
if __name__ == "__main__":
    import multiprocessing
    import westphalia.cli
    if sys.argv[1] == "declare":
        westphalia.cli._as_package_main()  # what main() does first
    check = "import sys; sys.exit('westphalia.cli' in sys.modules)"
    child = multiprocessing.get_context("spawn").Process(target=exec, args=(check,))
    child.start()
    child.join()
    sys.exit(child.exitcode)
"""


def test_the_console_scripts_spawned_workers_do_not_import_the_cli(tmp_path: Path) -> None:
    """A parse worker spawned under the `westphalia` script imports what parsing needs, not the
    CLI (about 1.5 s and 150 MB a worker): the script declares itself `westphalia.__main__`."""
    script = tmp_path / "westphalia"
    script.write_text(_CONSOLE_SCRIPT)
    run = [sys.executable, str(script)]
    assert subprocess.run([*run, "declare"], timeout=120).returncode == 0
    assert subprocess.run([*run, "as-is"], timeout=120).returncode == 1  # Python's default


def test_the_cli_imports_networkx_only_for_a_network() -> None:
    """networkx (about 0.2 s of start-up) is imported by the commands that draw a network, not by
    every command."""
    check = (
        "import sys, westphalia.cli, westphalia.export, westphalia.report; "
        "sys.exit('networkx' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", check], timeout=120).returncode == 0
