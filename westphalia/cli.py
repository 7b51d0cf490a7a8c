"""The command line: each command parses its options, calls one library function, prints."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from . import analyze, pipeline, queries
from . import export as exporting
from .config import Settings, load_settings
from .errors import ExitCode, FatalError, QueryError
from .model import Story
from .queries import ActorRow, EventFilter, EventRow, MentionRow, to_jsonable
from .report import NETWORK_FORMATS, REPORT_FORMATS, render_network, render_report
from .resources import sample_corpus
from .store import Store, open_existing, open_store

app = typer.Typer(
    name="westphalia",
    help="Turn news articles into structured data about international relations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# rows of each table `demo` shows, so that its summary fits one screen
DEMO_STORIES, DEMO_ROWS, DEMO_EVENTS = 5, 6, 6
SUMMARY_REJECTIONS = 20  # rejections shown after a run; `westphalia rejections` lists them all
out = Console()
err = Console(stderr=True)

FromOpt = Annotated[
    datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First date YYYY-MM-DD.")
]
ToOpt = Annotated[
    datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last date YYYY-MM-DD.")
]
StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="DuckDB store [default: ./westphalia.duckdb].")
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Settings file (TOML).", exists=True, dir_okay=False)
]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="Override a setting: KEY=VALUE (repeatable).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object per line, for scripts.")]
WideOpt = Annotated[
    bool, typer.Option("--wide", help="Show sentences and titles whole (wrapped), not cut.")
]


def _as_package_main() -> None:
    """Run as the `westphalia` console script, the main module is that script, and
    multiprocessing runs a spawned process's parent's main script again in the child: every
    parse worker would import this whole CLI (typer, rich, DuckDB, networkx; about 1 s of CPU
    and 110 MB each) for nothing. The script only imports and calls `main`, as `python -m
    westphalia` does, whose children skip that step (multiprocessing never re-runs a package's
    __main__): say that the script is that module."""
    script = sys.modules.get("__main__")
    if script is not None and script.__spec__ is None and getattr(script, "main", None) is main:
        script.__spec__ = importlib.util.find_spec("westphalia.__main__")


def _show_version(value: bool) -> None:
    if value:
        from . import __version__

        out.print(f"westphalia {__version__}", highlight=False)
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_show_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Turn news articles into structured data about international relations."""


def main() -> None:
    """Console-script entry point: run the app and exit with the documented codes."""
    _as_package_main()
    try:
        # returns the code of a typer.Exit
        code = app(args=optional_ray_address(sys.argv[1:]), standalone_mode=False)
    except FatalError as e:
        err.print(Text(f"error {e.code} ", style="red") + Text(e.message), highlight=False)
        sys.exit(ExitCode.FATAL)
    except QueryError as e:
        err.print(Text(f"error {e.code} ", style="red") + Text(e.message), highlight=False)
        sys.exit(ExitCode.USAGE)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.BadParameter as e:  # "Invalid value for '--format': 'xml' is not one of ..."
        err.print(e.format_message(), highlight=False)
        sys.exit(ExitCode.USAGE)
    except typer.Abort as e:
        err.print(str(e))
        sys.exit(ExitCode.USAGE)
    except Exception as e:  # click usage errors carry their own exit code
        code = getattr(e, "exit_code", None)
        if code is None:
            raise
        if hasattr(e, "show"):
            e.show()
        sys.exit(code)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)


def optional_ray_address(args: list[str]) -> list[str]:
    """`--ray` takes an optional ADDRESS: given alone (last, or before another option), it
    means the default, which this fills in (typer has no options with an optional value)."""
    out: list[str] = []
    for n, arg in enumerate(args):
        out.append(arg)
        if arg == "--":
            return out + args[n + 1 :]
        if arg == "--ray" and (n + 1 == len(args) or args[n + 1].startswith("-")):
            out.append("default")
    return out


def _settings(config: Path | None, overrides: list[str] | None, **values: Any) -> Settings:
    given = {k.replace("__", "."): v for k, v in values.items() if v is not None}
    return load_settings(config_file=config, overrides=overrides or (), values=given)


def _print_jsonl(rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        sys.stdout.write(
            json.dumps({k: to_jsonable(v) for k, v in row.items()}, ensure_ascii=False) + "\n"
        )


class _RateColumn(ProgressColumn):
    """Articles per second over the whole run so far."""

    def render(self, task: Task) -> Text:
        items, elapsed = task.fields.get("items", 0), task.elapsed or 0.0
        rate = items / elapsed if elapsed > 0 else 0.0
        return Text(f"{items:,} articles  {rate:,.0f}/s", style="progress.data.speed")


def _run_with_progress(
    paths: list[str],
    settings: Settings,
    store: Store,
    *,
    strict: bool,
    quiet: bool,
    command: str,
    ray: str | None = None,
) -> pipeline.RunSummary:
    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(
        *columns, console=err, transient=True, disable=quiet or not err.is_terminal
    ) as progress:
        task = progress.add_task(command, total=None, items=0)

        def report(items: int, consumed: int, total: int | None) -> None:
            progress.update(task, completed=consumed, total=total or None, items=items)

        if ray is not None:
            from . import cluster

            return cluster.run(
                paths,
                settings=settings,
                store=store,
                address=ray,
                strict=strict,
                on_progress=report,
                command=command,
            )
        return pipeline.run(
            paths,
            settings=settings,
            store=store,
            strict=strict,
            on_progress=report,
            command=command,
        )


def _print_summary(summary: pipeline.RunSummary, store_path: Path) -> None:
    s = summary
    rate = s.read / s.seconds if s.seconds else 0.0
    out.print(
        f"read {s.read:,} · new {s.new:,} ({s.near_duplicates:,} near-duplicates) · "
        f"duplicates {s.duplicates:,} · already stored {s.known:,} · "
        f"stories {s.stories_total:,} ({s.new_stories:,} new) · rejected {s.rejected:,}"
        + (f" · internal errors {s.internal_errors:,}" if s.internal_errors else "")
        + f"  [{s.seconds:.1f} s, {rate:,.0f} items/s]",
        highlight=False,
    )
    out.print(f"store: {store_path} ({s.articles_total:,} articles)", highlight=False)
    if s.sentences:
        share = s.sentences_skipped / s.sentences
        out.print(
            f"parsed {s.sentences - s.sentences_skipped:,} of {s.sentences:,} sentences "
            f"({share:.0%} skipped: no actor named in them)",
            highlight=False,
        )
    if s.rejections:
        shown = s.rejections[:SUMMARY_REJECTIONS]
        _print_rejections(
            [
                {
                    "source": r.source,
                    "locator": r.locator,
                    "code": r.code,
                    "stage": r.stage.value,
                    "message": r.message,
                }
                for r in shown
            ]
        )
        if len(s.rejections) > len(shown):
            err.print(f"... and {len(s.rejections) - len(shown):,} more.", highlight=False)
        err.print(
            "Some items were rejected: see `westphalia rejections` for the list.", highlight=False
        )


def _print_rejections(rows: list[dict[str, Any]], *, console: Console = err) -> None:
    table = Table("item", "code", "stage", "message", title="Rejections", title_justify="left")
    for r in rows:
        item = f"{r['source']}:{r['locator']}" if r["locator"] else r["source"]
        table.add_row(item, r["code"], r["stage"], r["message"])
    console.print(table)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, directories or - for stdin.")],
    store: StoreOpt = None,
    date_: Annotated[
        str | None,
        typer.Option("--date", help="Publication date YYYY-MM-DD for items without one."),
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option("--include", help="Glob for files in directories (repeatable)."),
    ] = None,
    format_: Annotated[
        str | None, typer.Option("--format", help="Force the input format: text, html, jsonl, csv.")
    ] = None,
    text_field: Annotated[
        str | None, typer.Option(help="JSONL/CSV field holding the text [default: text].")
    ] = None,
    title_field: Annotated[
        str | None, typer.Option(help="JSONL/CSV title field [default: title].")
    ] = None,
    date_field: Annotated[
        str | None, typer.Option(help="JSONL/CSV date field [default: date].")
    ] = None,
    url_field: Annotated[
        str | None, typer.Option(help="JSONL/CSV URL field [default: url].")
    ] = None,
    id_field: Annotated[str | None, typer.Option(help="JSONL/CSV id field [default: id].")] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first internal error.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="[ADDRESS]",
            help="Run the stages on a Ray cluster (the ray extra): alone, the cluster `ray start` "
            "runs here, else a new local one; `local`: a new local one; `auto`: only a running "
            "cluster; or HOST:PORT / ray://HOST:10001. Writes a Parquet dataset "
            "(cluster.dataset) and imports it into the store.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Read articles and run every stage of the engine on them, into the store."""
    settings = _settings(
        config,
        set_,
        store__path=store,
        ingest__default_date=date_,
        ingest__include=include,
        ingest__format=format_,
        ingest__text_field=text_field,
        ingest__title_field=title_field,
        ingest__date_field=date_field,
        ingest__url_field=url_field,
        ingest__id_field=id_field,
    )
    with open_store(settings.store.path) as db:
        summary = _run_with_progress(
            paths, settings, db, strict=strict, quiet=quiet or as_json, command="ingest", ray=ray
        )
    if as_json:
        _print_jsonl([summary.as_dict()])
    else:
        _print_summary(summary, settings.store.path)
    raise typer.Exit(summary.exit_code)


@app.command("import")
def import_(
    dataset: Annotated[
        Path, typer.Argument(help="A Parquet dataset written by ingest --ray (cluster.dataset).")
    ],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a Parquet dataset written on a cluster to the store (adding it again adds nothing)."""
    from .store.dataset import import_dataset

    settings = _settings(config, set_, store__path=store)
    with open_store(settings.store.path) as db:
        added = import_dataset(db, dataset)
        total = queries.counts(db)["articles"]
    if as_json:
        _print_jsonl([asdict(added)])
        return
    out.print(
        f"imported {added.parts:,} parts from {dataset}: {added.articles:,} new articles, "
        f"{added.stories:,} new stories, {added.events:,} new events, "
        f"{added.rejections:,} new rejections",
        highlight=False,
    )
    out.print(f"store: {settings.store.path} ({total:,} articles)", highlight=False)


@app.command()
def demo(
    store: Annotated[Path, typer.Option("--store", help="Store to create or update.")] = Path(
        "westphalia-demo.duckdb"
    ),
    as_json: JsonOpt = False,
) -> None:
    """Run the whole pipeline on the bundled sample corpus and show what it found."""
    settings = _settings(None, None, store__path=store)
    with sample_corpus() as corpus, open_store(settings.store.path) as db:
        summary = _run_with_progress(
            [str(corpus)], settings, db, strict=False, quiet=as_json, command="demo"
        )
        rows = queries.stories(db)
        actors = queries.actors(db)
        pair = queries.busiest_dyad(db)
        dyad = queries.events(db, EventFilter(dyad=pair)) if pair else []
        names = [analyze.actor_name(db, code) for code in pair or ()]
    if as_json:
        _print_jsonl([summary.as_dict()])
        _print_jsonl(asdict(story) for story in rows)
    else:
        out.print(f"Sample corpus: {corpus}", highlight=False)
        _print_summary(summary, settings.store.path)
        largest = sorted(rows, key=lambda story: -story.n_articles)[:DEMO_STORIES]
        _print_stories(largest, more=max(0, len(rows) - DEMO_STORIES))
        _print_actors(actors[:DEMO_ROWS], more=max(0, len(actors) - DEMO_ROWS))
        if pair:
            _print_events(
                dyad[:DEMO_EVENTS],
                title=f"Events between {names[0]} and {names[1]}",
                more=max(0, len(dyad) - DEMO_EVENTS),
            )
        events = f"westphalia events --store {store}" + (
            f" --dyad {'-'.join(pair)}" if pair else ""
        )
        out.print(
            f"\nNext: {events} · westphalia stories --store {store} · "
            f"westphalia serve --store {store}",
            highlight=False,
        )
    raise typer.Exit(summary.exit_code)


def _print_stories(stories: list[Story], *, wide: bool = False, more: int = 0) -> None:
    columns = ("story", "articles", "first", "last", "title or lead")
    rows = [
        (
            story.id,
            str(story.n_articles),
            _shown_date(story.first_published),
            _shown_date(story.last_published),
            story.title or f"{story.lead}...",
        )
        for story in stories
    ]
    _print_listing("Stories", columns, rows, wide=wide, more=more)


MIN_TEXT_WIDTH = 40  # narrower than this, a listing's text goes on a line of its own


def _print_listing(
    title: str,
    columns: tuple[str, ...],
    rows: list[tuple[str, ...]],
    *,
    wide: bool,
    more: int = 0,
) -> None:
    """A table whose last column (a sentence, a title) is cut to the terminal's width, so each
    row is one line. When that leaves the text fewer than MIN_TEXT_WIDTH columns, each row is
    two lines instead: its facts, then the text, cut. `wide`: each row's facts, then its text
    whole, wrapped and indented. `more` rows not shown are counted under the table."""
    if wide:
        out.print(Text(title, style="italic"))
        for row in rows:
            out.print("  ".join(row[:-1]), highlight=False, soft_wrap=True)
            if row[-1]:
                out.print(Padding(Text(row[-1], style="dim"), (0, 0, 0, 4)))
    else:
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns[:-1])]
        # two columns of padding between columns, none at the edges (box.SIMPLE_HEAD)
        left = out.width - sum(widths) - 2 * (len(columns) - 1)
        if left >= MIN_TEXT_WIDTH:
            table = Table(
                title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, expand=True
            )
            for column, width in zip(columns[:-1], widths, strict=True):
                table.add_column(column, no_wrap=True, min_width=width)
            table.add_column(columns[-1], no_wrap=True, overflow="ellipsis", ratio=1)
            for row in rows:
                table.add_row(*row)
            out.print(table)
        else:
            out.print(Text(title, style="italic"))
            for row in rows:
                out.print("  ".join(row[:-1]), highlight=False, no_wrap=True, overflow="ellipsis")
                out.print(Text("    " + row[-1], style="dim"), no_wrap=True, overflow="ellipsis")
    if more:
        out.print(f"... and {more:,} more", style="dim", highlight=False)


def _shown_date(value: date | None) -> str:
    return value.isoformat() if value else "unknown"


@app.command()
def stories(
    store: StoreOpt = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    limit: Annotated[int | None, typer.Option(help="Show at most this many stories.")] = None,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List the stories (clusters of duplicate articles) in the store."""
    with _existing_store(config, set_, store) as db:
        rows = queries.stories(db, limit=limit)
    if as_json:
        _print_jsonl(asdict(story) for story in rows)
    else:
        _print_stories(rows, wide=wide)


@app.command()
def rejections(
    store: StoreOpt = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the input items that were rejected, with what to do about each."""
    with _existing_store(config, set_, store) as db:
        rows = [r.as_dict() for r in queries.rejections(db)]
    if as_json:
        _print_jsonl(rows)
    elif rows:
        _print_rejections(rows, console=out)
    else:
        out.print("No rejections.")


@app.command()
def actors(
    store: StoreOpt = None,
    article: Annotated[
        str | None,
        typer.Option("--article", help="Show each mention of this article in its sentence."),
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List actors with their mention counts, or the mentions of one article."""
    with _existing_store(config, set_, store) as db:
        rows = queries.mentions(db, article) if article else queries.actors(db)
    if as_json:
        _print_jsonl(r.as_dict() for r in rows)
    elif article:
        _print_mentions(rows)  # type: ignore[arg-type]
    else:
        _print_actors(rows, wide=wide)  # type: ignore[arg-type]


def _print_actors(rows: list[ActorRow], *, wide: bool = False, more: int = 0) -> None:
    columns = ("code", "name", "mentions", "articles", "mentioned as")
    shown = [
        (r.code, r.name, str(r.mentions), str(r.articles), ", ".join((r.entities or [])[:6]))
        for r in rows
    ]
    _print_listing("Actors", columns, shown, wide=wide, more=more)


def _print_mentions(rows: list[MentionRow]) -> None:
    for r in rows:
        offset = r.start_char - r.sentence_start
        sentence = Text(r.sentence)
        sentence.stylize("bold reverse", offset, offset + r.end_char - r.start_char)
        how = f"{r.resolved_by} (place)" if r.place and r.resolved_by != "place" else r.resolved_by
        out.print(Text(f"{r.actor_code:<10} {how:<18} ", style="cyan") + sentence)


@app.command()
def events(
    store: StoreOpt = None,
    source: Annotated[
        str | None, typer.Option(help="Source actor code or prefix (RUS, RUSGOV).")
    ] = None,
    target: Annotated[str | None, typer.Option(help="Target actor code or prefix.")] = None,
    dyad: Annotated[
        str | None, typer.Option(help="Both directions between two actors: RUS-PAK.")
    ] = None,
    code: Annotated[str | None, typer.Option(help="CAMEO event code, e.g. 042.")] = None,
    root: Annotated[str | None, typer.Option(help="CAMEO root, e.g. 19.")] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    story: Annotated[str | None, typer.Option(help="Story id or prefix.")] = None,
    limit: Annotated[int | None, typer.Option(help="Show at most this many events.")] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List coded events with their evidence sentences (cut to the terminal; --wide: whole)."""
    pair = tuple(dyad.upper().split("-", 1)) if dyad else None
    if pair is not None and len(pair) != 2:
        raise typer.BadParameter("--dyad takes two actor codes joined by a hyphen, e.g. RUS-PAK")
    where = EventFilter(
        source=source,
        target=target,
        dyad=pair,
        code=code,
        root=root,
        start=_day(from_),
        end=_day(to),
        story=story,
    )
    with _existing_store(config, set_, store) as db:
        rows = queries.events(db, where, limit=limit)
    if as_json:
        _print_jsonl(r.as_dict() for r in rows)
        return
    _print_events(rows, title="Events", wide=wide)


def _print_events(rows: list[EventRow], *, title: str, wide: bool = False, more: int = 0) -> None:
    columns = ("id", "date", "source", "target", "code", "Goldstein", "n", "sentence")
    shown = [
        (
            r.id,
            _shown_date(r.date),
            r.source,
            r.target,
            r.code,
            f"{r.goldstein or 0:+.1f}",
            str(r.count),
            r.sentence or "",
        )
        for r in rows
    ]
    _print_listing(title, columns, shown, wide=wide, more=more)


def _day(value: datetime | None) -> date | None:
    """The day of a date option (typer parses and checks YYYY-MM-DD)."""
    return value.date() if value is not None else None


@app.command()
def show(
    event_id: Annotated[str, typer.Argument(help="Event id (or a unique prefix).")],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one event: its sentence with the source, target and trigger highlighted."""
    with _existing_store(config, set_, store) as db:
        row = queries.event(db, event_id)
    if row is None:
        raise QueryError("E407", what="event", id=event_id)
    if as_json:
        _print_jsonl([row.as_dict()])
        return
    _print_event(row)


def _print_event(e: EventRow) -> None:
    """The event's sentence with its source, target and trigger highlighted, and its facts."""
    sentence = Text(e.sentence or "")
    base = e.sentence_start or 0
    spans = (
        (e.source_start, e.source_end, "bold green"),
        (e.target_start, e.target_end, "bold red"),
        (e.trigger_start, e.trigger_end, "bold reverse"),
    )
    for start, end, style in spans:
        if start is not None and end is not None:
            sentence.stylize(style, start - base, end - base)
    facts = f"{e.code} ({e.plover}, Goldstein {e.goldstein or 0:+.1f}, quad {e.quad_class})"
    when = f"{_shown_date(e.date)} [{e.date_precision}]"
    out.print(f"{e.source} -> {e.target}  {facts}  {when}  x{e.count}", highlight=False)
    out.print(sentence)
    where = f" · in {e.place or e.location}" if e.location else ""
    out.print(
        f"pattern {e.pattern} · confidence {e.confidence:.2f} · article {e.article_id}"
        f" · story {e.story_id}{where}",
        highlight=False,
    )


@app.command("eval")
def eval_(
    gold: Annotated[
        Path,
        typer.Argument(
            help="Gold JSONL (PLOVER gold-standard format).", exists=True, dir_okay=False
        ),
    ],
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="Write the coded events here (JSONL).")
    ] = None,
    calibrate: Annotated[
        Path | None,
        typer.Option(
            "--calibrate", help="Write per-rule confidence (YAML) measured on this gold set."
        ),
    ] = None,
    dictionaries: Annotated[
        Path | None,
        typer.Option(
            "--dictionaries",
            help="PETRARCH/TABARI dictionaries (verbs, actors, agents, discards) to code with.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Code each gold record on its own and print precision, recall and F1."""
    from .evaluate import evaluate, summary

    settings = _settings(config, set_, events__dictionaries=dictionaries)
    events, actors = evaluate(gold, settings=settings)
    if predictions is not None:
        events.write_predictions(predictions)
    if calibrate is not None:
        events.write_calibration(calibrate, gold=gold)
    rows = summary(events, actors)
    if as_json:
        _print_jsonl(rows)
        return
    title = f"{gold.name}: {events.records} records ({events.cameo_records} with CAMEO codes)"
    table = Table(
        "measure", "precision", "recall", "F1", "tp", "fp", "fn", title=title, title_justify="left"
    )
    for r in rows:
        f1 = f"{r['f1']:.3f}" if "f1" in r else ""
        table.add_row(
            r["measure"],
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f1,
            str(r.get("tp", r.get("matched"))),
            str(r.get("fp", "")),
            str(r.get("fn", "")),
        )
    out.print(table)


# --format choices, from the library's lists (typer checks them and lists them in --help)
ReportFormat = StrEnum("ReportFormat", {f: f for f in REPORT_FORMATS})
NetworkFormat = StrEnum("NetworkFormat", {f: f for f in NETWORK_FORMATS})
ExportFormat = StrEnum("ExportFormat", {f: f for f in exporting.FORMATS})


@app.command()
def report(
    a: Annotated[str, typer.Argument(help="First actor code or prefix, e.g. RUS.")],
    b: Annotated[str, typer.Argument(help="Second actor code or prefix, e.g. PAK.")],
    store: StoreOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.text,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """The relationship between two actors: directions, domains, key events, quotes, trend."""
    with _existing_store(config, set_, store) as db:
        result = analyze.dyad_report(db, a.upper(), b.upper(), start=_day(from_), end=_day(to))
    sys.stdout.write(render_report(result, fmt.value))


@app.command()
def network(
    store: StoreOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    fmt: Annotated[NetworkFormat, typer.Option("--format")] = NetworkFormat.text,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """The alignment network: signed edges by net Goldstein, triads and their balance, blocs."""
    with _existing_store(config, set_, store) as db:
        result = analyze.network(db, start=_day(from_), end=_day(to))
    sys.stdout.write(render_network(result, fmt.value))


@app.command("export")
def export_(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="What to write.")],
    out_path: Annotated[Path, typer.Option("--out", help="File to write.")],
    store: StoreOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    actor: Annotated[
        str | None, typer.Option(help="Only events with this actor (code prefix) on either side.")
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Write the events (GDELT 2.0 TSV, Parquet, JSONL, CSV) or the network (GraphML) to a file."""
    with _existing_store(config, set_, store) as db:
        n = exporting.export(db, fmt.value, out_path, start=_day(from_), end=_day(to), actor=actor)
    err.print(
        f"wrote {n} {'edges' if fmt == 'graphml' else 'events'} to {out_path}", highlight=False
    )


@app.command()
def doctor(
    config: ConfigOpt = None,
    set_: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What is installed (model, libraries, data, dashboard files) and how to fix what is not."""
    from .doctor import diagnose, healthy

    checks = diagnose(model=_settings(config, set_).parse.model)
    if as_json:
        _print_jsonl(
            {"name": c.name, "status": c.status.value, "detail": c.detail, "fix": c.fix}
            for c in checks
        )
    else:
        table = Table(
            "check", "status", "detail", "fix", title="westphalia doctor", title_justify="left"
        )
        for c in checks:
            style = {"ok": "green", "warn": "yellow", "missing": "red"}[c.status.value]
            table.add_row(c.name, Text(c.status.value, style=style), c.detail, c.fix)
        out.print(table)
    raise typer.Exit(ExitCode.OK if healthy(checks) else ExitCode.FATAL)


@app.command()
def serve(
    store: StoreOpt = None,
    host: Annotated[
        str, typer.Option(help="Address to bind; anything but 127.0.0.1 exposes the store.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another host name clients use to reach it (repeatable); others are refused.",
        ),
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """The web dashboard and its read-only JSON API (OpenAPI schema at /openapi.json)."""
    try:
        import uvicorn

        from .web import check_assets, create_app
    except ImportError as e:
        raise FatalError("E017", name=e.name) from e
    path = _settings(config, set_, store__path=store).store.path
    check_assets()
    dashboard = create_app(path, hosts=[host, *(allow_host or [])])  # E006 if there is none
    err.print(
        f"westphalia: serving {path} on http://{host}:{port}/ (Ctrl-C stops)", highlight=False
    )
    uvicorn.run(dashboard, host=host, port=port, log_level="warning")


def _existing_store(config: Path | None, overrides: list[str] | None, path: Path | None) -> Store:
    """The store the listing commands read: it must exist already."""
    return open_existing(_settings(config, overrides, store__path=path).store.path)
