"""Parse + actor recognition throughput (words/s) as a ratio to plain spaCy `nlp.pipe`.

Usage:
    .venv/bin/python benchmarks/actors_throughput.py ../shared/corpora/reuters21578.jsonl --limit 3000

Both runs use the same loaded model, batch size and texts, in this one process:
  baseline  nlp.pipe over the normalized texts (the spaCy pipeline alone);
  westphalia  Parser.parse (pipeline + gazetteer and role phrase matchers + conversion to
            westphalia records) followed by actors.extract_actors on every document.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from _corpus import corpus_parser

from westphalia.actors import extract_actors, load_gazetteer
from westphalia.config import NormalizeSettings, ParseSettings
from westphalia.normalize import clean_text
from westphalia.parse import Parser


def _texts(path: Path, limit: int) -> list[str]:
    texts: list[str] = []
    with path.open() as f:
        for line in f:
            text = json.loads(line).get("text")
            if text and text.strip():
                texts.append(clean_text(text, settings=NormalizeSettings()))
            if len(texts) >= limit:
                break
    return texts


def main() -> None:
    parser = corpus_parser(__doc__, limit_help="number of texts")
    args = parser.parse_args()
    texts = _texts(args.corpus, args.limit)
    gazetteer = load_gazetteer()
    settings = ParseSettings()
    engine = Parser(settings, gazetteer.phrases())
    words = sum(len(doc) for doc in engine.nlp.tokenizer.pipe(texts))

    start = time.perf_counter()
    for _ in engine.nlp.pipe(texts, batch_size=settings.batch_size):
        pass
    base = time.perf_counter() - start

    start = time.perf_counter()
    mentions = 0
    for parse in engine.parse((str(i), t) for i, t in enumerate(texts)):
        mentions += len(extract_actors(parse, gazetteer=gazetteer))
    ours = time.perf_counter() - start

    print(f"{len(texts):,} texts, {words:,} words; {mentions:,} actor mentions")
    print(f"baseline nlp.pipe     : {base:.1f} s = {words / base:,.0f} words/s")
    print(f"parse + actors        : {ours:.1f} s = {words / ours:,.0f} words/s")
    print(f"ratio parse+actors / nlp.pipe: {base / ours:.3f}")


if __name__ == "__main__":
    main()
