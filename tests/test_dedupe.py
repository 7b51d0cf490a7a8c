from __future__ import annotations

from westphalia.config import DedupeSettings
from westphalia.dedupe import DedupeIndex, dedupe, shingle_hashes
from westphalia.model import Duplicate, content_id

BASE = (
    "The foreign ministers of Kenya and Tanzania met in Arusha on Thursday and agreed to "
    "reopen two border crossings closed since the floods, officials said. They also discussed "
    "fishing rights on Lake Victoria and a joint plan for the railway to the coast."
)
EDITED = BASE.replace("Thursday", "Thursday evening") + " A follow-up meeting is planned."
OTHER = (
    "Chile recalled its ambassador from Bolivia after a dispute over water rights in the "
    "Silala basin escalated, the foreign ministry in Santiago said in a statement on Monday."
)


def _assign(index, text, make_article):
    return dedupe(make_article(raw_text=text, text=text, id=content_id(text)), index=index)


def test_one_hash_per_distinct_word_trigram_and_short_texts_one_shingle() -> None:
    words = ["peace", "talks", "resumed", "today", "and", "peace", "talks", "resumed"]
    trigrams = {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
    assert len(shingle_hashes(" ".join(words), size=3)) == len(trigrams) == 5
    assert shingle_hashes("Peace, TALKS resumed", size=3) == shingle_hashes(
        "peace talks resumed", size=3
    )
    assert len(shingle_hashes("Talks resumed", size=3)) == 1
    assert all(0 <= h < 2**32 for h in shingle_hashes(BASE, size=3))


def test_new_exact_and_near_duplicates(make_article) -> None:
    index = DedupeIndex(DedupeSettings())
    first = _assign(index, BASE, make_article)
    assert (first.match, first.story_id) == (Duplicate.NEW, content_id(BASE))
    exact = _assign(index, BASE, make_article)
    assert (exact.match, exact.story_id) == (Duplicate.EXACT, first.story_id)
    near = _assign(index, EDITED, make_article)
    assert (near.match, near.story_id, near.duplicate_of) == (
        Duplicate.NEAR,
        first.story_id,
        first.article_id,
    )
    assert 0.7 <= near.similarity < 1.0
    other = _assign(index, OTHER, make_article)
    assert (other.match, other.story_id) == (Duplicate.NEW, content_id(OTHER))


def test_threshold_is_a_setting(make_article) -> None:
    index = DedupeIndex(DedupeSettings(threshold=0.95))
    _assign(index, BASE, make_article)
    assert _assign(index, EDITED, make_article).match is Duplicate.NEW


def test_index_rebuilt_from_signatures_finds_the_same_story(make_article) -> None:
    index = DedupeIndex(DedupeSettings())
    first = _assign(index, BASE, make_article)
    rebuilt = DedupeIndex(DedupeSettings())
    rebuilt.add_signature(first.article_id, first.story_id, first.signature)
    assert _assign(rebuilt, EDITED, make_article).story_id == first.story_id


def test_the_index_lives_on_disk_and_keeps_only_what_was_committed(tmp_path, make_article) -> None:
    path = tmp_path / "store.duckdb.lsh"
    index = DedupeIndex(DedupeSettings(), path)
    first = _assign(index, BASE, make_article)
    index.commit()
    _assign(index, OTHER, make_article)  # not committed: its batch never reached the store
    index.close()
    reopened = DedupeIndex(DedupeSettings(), path)
    assert len(reopened) == 1 and first.article_id in reopened
    assert _assign(reopened, EDITED, make_article).story_id == first.story_id


def test_a_store_and_its_index_that_disagree_rebuild_the_index(settings, store) -> None:
    from westphalia.dedupe import index_path, load_index
    from westphalia.pipeline import run

    corpus = settings.store.path.parent / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(BASE, encoding="utf-8")
    (corpus / "b.txt").write_text(OTHER, encoding="utf-8")
    run([corpus], settings=settings, store=store)
    assert index_path(store.path).is_file()
    index = load_index(store, settings.dedupe)
    assert len(index) == 2  # the file agreed with the store
    index._db.execute("DELETE FROM articles WHERE id = ?", (content_id(OTHER),))
    index.commit()
    index.close()
    rebuilt = load_index(store, settings.dedupe)  # as after a run killed between the two commits
    assert len(rebuilt) == 2 and content_id(OTHER) in rebuilt
    rebuilt.close()
