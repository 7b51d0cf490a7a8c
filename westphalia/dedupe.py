"""Dedupe: exact duplicates by content hash, near-duplicates by MinHash LSH -> stories.

Every article belongs to exactly one story. A new article joins the story of the most
similar known article whose estimated Jaccard similarity (word shingles) reaches the
threshold; otherwise it founds a story of its own, whose id is the article's id.
"""

from __future__ import annotations

import re
import zlib
from functools import cache
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
    """The in-memory LSH index over every known article (rebuilt from the store at start)."""

    def __init__(self, settings: DedupeSettings) -> None:
        self.settings = settings
        self._lsh = MinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm)
        self._story_of: dict[str, str] = {}
        self._values: dict[str, np.ndarray] = {}

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._story_of

    def __len__(self) -> int:
        return len(self._story_of)

    def add(self, article_id: str, story_id: str, minhash: MinHash) -> None:
        if article_id in self._story_of:
            return
        self._story_of[article_id] = story_id
        self._values[article_id] = minhash.hashvalues
        self._lsh.insert(article_id, minhash)

    def add_signature(self, article_id: str, story_id: str, signature: bytes) -> None:
        values = np.frombuffer(signature, dtype="<u4").astype(np.uint32)
        self.add(article_id, story_id, new_minhash(self.settings, hashvalues=values))

    def story_of(self, article_id: str) -> str:
        return self._story_of[article_id]

    def nearest(self, minhash: MinHash) -> tuple[str, float] | None:
        """The known article most similar to `minhash`, if it reaches the threshold."""
        best: tuple[str, float] | None = None
        for candidate in self._lsh.query(minhash):
            similarity = float(np.mean(minhash.hashvalues == self._values[candidate]))
            if similarity >= self.settings.threshold and (best is None or similarity > best[1]):
                best = (candidate, similarity)
        return best


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
    """The LSH index over every stored article, from their stored signatures; when the settings
    (or the shingle hash) changed since they were computed, recomputed from the texts and stored
    again."""
    index = DedupeIndex(settings)
    wanted = {f"dedupe.{k}": str(getattr(settings, k)) for k in _META_KEYS}
    wanted["dedupe.shingle_hash"] = SHINGLE_HASH
    stored = store.meta()
    compatible = all(stored.get(k, v) == v for k, v in wanted.items())
    if compatible:
        for article_id, story_id, data in store.article_signatures():
            index.add_signature(article_id, story_id, data)
        store.set_meta(wanted)
        return index
    recomputed = []
    for article_id, story_id, text in store.article_texts():
        minhash = text_minhash(text, settings=settings)
        index.add(article_id, story_id, minhash)
        recomputed.append((article_id, signature(minhash)))
    store.set_signatures(recomputed, meta=wanted)
    return index
