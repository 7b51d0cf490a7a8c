"""Dedupe: exact duplicates by content hash, near-duplicates by MinHash LSH -> stories.

Every article belongs to exactly one story. A new article joins the story of the most
similar known article whose estimated Jaccard similarity (word shingles) reaches the
threshold; otherwise it founds a story of its own, whose id is the article's id.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from datasketch import MinHash, MinHashLSH

from .config import DedupeSettings
from .model import Article, Assignment, Duplicate

if TYPE_CHECKING:
    from .store import Store

_WORD = re.compile(r"\w+")
MINHASH_SEED = 1  # fixed so signatures stored by one run compare with the next run's
MINHASH_SCHEME = "affine32"  # datasketch >= 2.0 default; stored signatures depend on it
# Names the shingle hashing below; the store recomputes its signatures when it changes.
SHINGLE_HASH = "crc32-poly-v1"
_POLY = np.uint64(1_000_003)  # multiplier of the rolling n-gram hash (an odd prime)
_MASK32 = np.uint64(0xFFFFFFFF)


class DedupeIndex:
    """The LSH index over every known article, on disk: an SQLite file beside the store holding
    each article's story and signature and its LSH band keys (`bands` tables of datasketch's
    MinHashLSH for the same threshold and permutations, as rows), so memory stays flat however
    large the store grows. `path` None keeps it in memory (tests, throwaway stores).

    Additions are committed with `commit()`, after the store has committed the same articles
    (and the pipeline's next batch has been deduped: its additions are committed with them);
    `load_index` checks the file against the store and rebuilds it when they disagree (a killed
    run, a restored store, changed settings)."""

    def __init__(self, settings: DedupeSettings, path: Path | None = None) -> None:
        self.settings = settings
        self._ranges = band_ranges(settings)
        self.path = path
        self._db = sqlite3.connect(str(path) if path else ":memory:", isolation_level="DEFERRED")
        self._db.executescript(_INDEX_SCHEMA)

    def __contains__(self, article_id: str) -> bool:
        found = self._db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,))
        return found.fetchone() is not None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def add(self, article_id: str, story_id: str, minhash: MinHash) -> None:
        values = minhash.hashvalues.astype("<u4")
        added = self._db.execute(
            "INSERT OR IGNORE INTO articles (id, story, signature) VALUES (?, ?, ?)",
            (article_id, story_id, values.tobytes()),
        )
        if not added.rowcount:
            return  # indexed already
        self._db.executemany(
            "INSERT INTO bands (key, article) VALUES (?, ?)",
            [(key, article_id) for key in self._keys(values)],
        )

    def add_signature(self, article_id: str, story_id: str, signature: bytes) -> None:
        values = np.frombuffer(signature, dtype="<u4").astype(np.uint32)
        self.add(article_id, story_id, new_minhash(self.settings, hashvalues=values))

    def story_of(self, article_id: str) -> str:
        row = self._db.execute("SELECT story FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise KeyError(article_id)
        return str(row[0])

    def nearest(self, minhash: MinHash) -> tuple[str, float] | None:
        """The known article most similar to `minhash`, if it reaches the threshold (the
        earliest indexed of equally similar ones)."""
        values = minhash.hashvalues.astype("<u4")
        keys = self._keys(values)
        rows = self._db.execute(
            "SELECT a.rowid, a.id, a.signature FROM articles a WHERE a.id IN "
            f"(SELECT article FROM bands WHERE key IN ({','.join('?' * len(keys))})) "
            "ORDER BY a.rowid",
            keys,
        ).fetchall()
        best: tuple[str, float] | None = None
        if not rows:
            return None
        found = similarities(values, np.stack([np.frombuffer(r[2], dtype="<u4") for r in rows]))
        for (_, candidate, _), similarity in zip(rows, found.tolist(), strict=True):
            if similarity >= self.settings.threshold and (best is None or similarity > best[1]):
                best = (candidate, similarity)
        return best

    def commit(self) -> None:
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def clear(self) -> None:
        self._db.execute("DELETE FROM articles")
        self._db.execute("DELETE FROM bands")

    def last(self) -> str | None:
        """The greatest article id indexed (with the count, what `load_index` checks)."""
        row = self._db.execute("SELECT max(id) FROM articles").fetchone()
        return None if row[0] is None else str(row[0])

    def _keys(self, values: np.ndarray) -> list[int]:
        return band_keys(values, self._ranges)

    def in_order(self) -> Iterator[tuple[str, str, bytes]]:
        """(article id, story id, signature) of every indexed article, in the order indexed."""
        cursor = self._db.execute("SELECT id, story, signature FROM articles ORDER BY rowid")
        while rows := cursor.fetchmany(10_000):
            yield from rows

    def band_rows(self) -> Iterator[list[tuple[int, str]]]:
        """(band key, article id) of every indexed article, in lists of up to 100,000: the keys
        `add` stored, so that no signature is hashed again."""
        cursor = self._db.execute("SELECT key, article FROM bands")
        while rows := cursor.fetchmany(100_000):
            yield rows


def band_ranges(settings: DedupeSettings) -> list[tuple[int, int]]:
    """The (start, end) signature rows of each LSH band: datasketch MinHashLSH's for the
    threshold and permutations of `settings`."""
    lsh = MinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm)
    return [(start, end) for start, end in lsh.hashranges]


def band_keys(values: np.ndarray, ranges: list[tuple[int, int]]) -> list[int]:
    """One signed 64-bit key per band: the band's number and its rows' values, hashed. Two
    articles are candidates when they share a key (the local index and the cluster's band
    table both use these)."""
    data = values.astype("<u4").tobytes()
    return [
        int.from_bytes(
            hashlib.blake2b(data[start * 4 : end * 4], digest_size=8, salt=_salt(n)).digest(),
            "little",
            signed=True,
        )
        for n, (start, end) in enumerate(ranges)
    ]


def similarities(signature: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of one signature (k values) to each row of `others` (n x k):
    the share of equal values, as `DedupeIndex.nearest` compares them."""
    return np.mean(others == signature, axis=-1)


# `articles` keeps insertion order in its rowid (the tie-break of `nearest`); `bands` has one
# row per article and band, found by key.
_INDEX_SCHEMA = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -32768;
CREATE TABLE IF NOT EXISTS articles (id TEXT NOT NULL UNIQUE, story TEXT NOT NULL,
    signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, article TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS bands_key ON bands (key);
"""


@cache
def _salt(band: int) -> bytes:
    return band.to_bytes(16, "little")


def index_path(store_path: Path) -> Path | None:
    """Where the dedupe index of the store at `store_path` lives (None for an in-memory store)."""
    if str(store_path) == ":memory:":
        return None
    return store_path.with_name(store_path.name + ".lsh")


def dedupe(article: Article, *, index: DedupeIndex) -> Assignment:
    """Assign `article` (normalized, with its id) to a story and add it to `index`."""
    if article.id in index:
        story_id = index.story_of(article.id)
        return Assignment(article.id, story_id, Duplicate.EXACT, duplicate_of=article.id)
    minhash = text_minhash(article.text, settings=index.settings)
    nearest = index.nearest(minhash)
    if nearest is None:
        assignment = Assignment(article.id, article.id, Duplicate.NEW, signature=signature(minhash))
    else:
        other, similarity = nearest
        story_id = index.story_of(other)
        assignment = Assignment(
            article.id, story_id, Duplicate.NEAR, other, round(similarity, 4), signature(minhash)
        )
    index.add(article.id, assignment.story_id, minhash)
    return assignment


def shingle_hashes(text: str, *, size: int) -> list[int]:
    """32-bit hashes of the lower-cased word n-grams of `text` (a text shorter than `size`
    words is one shingle), from per-word CRC32s combined by a rolling polynomial in numpy."""
    words = _WORD.findall(text.lower()) or [""]
    word_hashes = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), np.uint64, len(words))
    width = min(size, len(words))
    count = len(words) - width + 1
    acc = np.zeros(count, dtype=np.uint64)
    for k in range(width):
        acc = (acc * _POLY + word_hashes[k : k + count]) & _MASK32
    return np.unique(acc).tolist()


@cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The MinHash permutations for `num_perm`, computed once per process."""
    return MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations


def _identity(value: int) -> int:
    return value


def new_minhash(settings: DedupeSettings, *, hashvalues: np.ndarray | None = None) -> MinHash:
    return MinHash(
        num_perm=settings.num_perm,
        seed=MINHASH_SEED,
        scheme=MINHASH_SCHEME,
        hashfunc=_identity,
        hashvalues=hashvalues,
        permutations=_permutations(settings.num_perm),
    )


def text_minhash(text: str, *, settings: DedupeSettings) -> MinHash:
    minhash = new_minhash(settings)
    minhash.update_batch(shingle_hashes(text, size=settings.shingle_size))
    return minhash


def signature(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype("<u4").tobytes()  # affine32 values fit in 32 bits


_META_KEYS = ("num_perm", "shingle_size")  # signatures are only comparable if these match


def load_index(store: Store, settings: DedupeSettings) -> DedupeIndex:
    """The LSH index over every stored article, from the index file beside the store when it
    agrees with the store (same articles, same settings), else rebuilt from the stored
    signatures; when the settings (or the shingle hash) changed since the signatures were
    computed, they are recomputed from the texts and stored again."""
    index = DedupeIndex(settings, index_path(store.path))
    wanted = {f"dedupe.{k}": str(getattr(settings, k)) for k in _META_KEYS}
    wanted["dedupe.shingle_hash"] = SHINGLE_HASH
    wanted["dedupe.threshold"] = str(settings.threshold)  # the bands depend on it
    stored = store.meta()
    compatible = all(stored.get(k, v) == v for k, v in wanted.items() if k != "dedupe.threshold")
    if compatible:
        count, last = store.article_count_and_greatest_id()
        if stored.get("dedupe.threshold") == wanted["dedupe.threshold"] and (
            len(index) == count and index.last() == last
        ):
            return index  # the file matches the store
        index.clear()
        for article_id, story_id, data in store.article_signatures():
            index.add_signature(article_id, story_id, data)
        index.commit()
        store.set_meta(wanted)
        return index
    index.clear()
    recomputed = []
    for article_id, story_id, text in store.article_texts():
        minhash = text_minhash(text, settings=settings)
        index.add(article_id, story_id, minhash)
        recomputed.append((article_id, signature(minhash)))
    store.set_signatures(recomputed, meta=wanted)
    index.commit()
    return index
