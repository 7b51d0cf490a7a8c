from __future__ import annotations

import westphalia


def test_public_api_is_sorted_and_importable() -> None:
    assert westphalia.__all__ == sorted(westphalia.__all__)
    for name in westphalia.__all__:
        assert getattr(westphalia, name) is not None


def test_library_run_and_stories(tmp_path) -> None:
    (tmp_path / "2025-01-02_talks.txt").write_text("Talks\n\nEgypt and Sudan held talks in Cairo.")
    settings = westphalia.load_settings(env={}, values={"store.path": tmp_path / "s.duckdb"})
    with westphalia.open_store(settings.store.path) as store:
        summary = westphalia.run([tmp_path], settings=settings, store=store)
        (story,) = store.stories()
    assert summary.new == 1
    assert (story.title, story.n_articles, story.first_published.isoformat()) == (
        "Talks",
        1,
        "2025-01-02",
    )
    assert story.lead == "Egypt and Sudan held talks in Cairo."
