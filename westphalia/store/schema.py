"""The store's schema: numbered migrations (applied in order, each once) and the settings of
read-only connections."""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "articles, stories, rejections, runs",
        """
        CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
        CREATE TABLE runs (
            id VARCHAR PRIMARY KEY, command VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP, status VARCHAR NOT NULL, summary JSON
        );
        CREATE TABLE stories (
            id VARCHAR PRIMARY KEY, canonical_article_id VARCHAR NOT NULL,
            run_id VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL
        );
        CREATE TABLE articles (
            id VARCHAR PRIMARY KEY,            -- sha1 of the normalized text, 16 hex digits
            story_id VARCHAR NOT NULL,
            match VARCHAR NOT NULL,            -- new | near
            duplicate_of VARCHAR,              -- the near-duplicate it joined
            similarity DOUBLE,
            source VARCHAR NOT NULL, locator VARCHAR NOT NULL, external_id VARCHAR,
            format VARCHAR NOT NULL, url VARCHAR, title VARCHAR,
            published DATE, date_source VARCHAR NOT NULL,
            raw BLOB NOT NULL, raw_text VARCHAR NOT NULL, text VARCHAR NOT NULL,
            metadata JSON, minhash BLOB NOT NULL,
            run_id VARCHAR NOT NULL, ingested_at TIMESTAMP NOT NULL
        );
        CREATE TABLE article_sources (     -- every place an article was read from
            article_id VARCHAR NOT NULL, source VARCHAR NOT NULL, locator VARCHAR NOT NULL,
            external_id VARCHAR, run_id VARCHAR NOT NULL, seen_at TIMESTAMP NOT NULL,
            PRIMARY KEY (article_id, source, locator)
        );
        CREATE TABLE rejections (
            id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, locator VARCHAR NOT NULL,
            stage VARCHAR NOT NULL, code VARCHAR NOT NULL, message VARCHAR NOT NULL,
            detail VARCHAR NOT NULL, raw BLOB, run_id VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL
        );
        """,
    ),
    (
        2,
        "tables for the parse, actor and event stages",
        """
        CREATE TABLE sentences (
            article_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, text VARCHAR NOT NULL,
            PRIMARY KEY (article_id, idx)
        );
        CREATE TABLE actors (
            code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, country VARCHAR,
            sectors VARCHAR[], kind VARCHAR NOT NULL
        );
        CREATE TABLE mentions (
            id VARCHAR PRIMARY KEY, article_id VARCHAR NOT NULL, sentence_idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, text VARCHAR NOT NULL,
            actor_code VARCHAR NOT NULL, resolved_by VARCHAR NOT NULL
        );
        CREATE TABLE events (
            id VARCHAR PRIMARY KEY, article_id VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
            sentence_idx INTEGER NOT NULL, source VARCHAR NOT NULL, target VARCHAR NOT NULL,
            code VARCHAR NOT NULL, trigger_start INTEGER NOT NULL, trigger_end INTEGER NOT NULL,
            source_start INTEGER, source_end INTEGER, target_start INTEGER, target_end INTEGER,
            pattern VARCHAR NOT NULL, confidence DOUBLE NOT NULL, date DATE,
            date_precision VARCHAR NOT NULL, location VARCHAR, count INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE quotes (
            article_id VARCHAR NOT NULL, sentence_idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, speaker_code VARCHAR,
            speaker_start INTEGER, speaker_end INTEGER, direct BOOLEAN NOT NULL,
            PRIMARY KEY (article_id, start_char, end_char)
        );
        """,
    ),
    (
        3,
        "mentions name their entity",
        "ALTER TABLE mentions ADD COLUMN entity VARCHAR NOT NULL DEFAULT '';",
    ),
    (
        4,
        "events carry place, Goldstein, QuadClass and PLOVER; quotes keep their text",
        """
        ALTER TABLE events ADD COLUMN place VARCHAR;
        ALTER TABLE events ADD COLUMN goldstein DOUBLE;
        ALTER TABLE events ADD COLUMN quad_class INTEGER;
        ALTER TABLE events ADD COLUMN plover VARCHAR;
        ALTER TABLE quotes ADD COLUMN text VARCHAR;
        """,
    ),
    (
        5,
        "runs record the process that started them",
        "ALTER TABLE runs ADD COLUMN pid INTEGER;",
    ),
    (
        6,
        "events carry their location as a point (GDELT geo type, name, FIPS code, coordinates, "
        "GeoNames id)",
        """
        ALTER TABLE events ADD COLUMN geo_type INTEGER;
        ALTER TABLE events ADD COLUMN geo_name VARCHAR;
        ALTER TABLE events ADD COLUMN geo_fips VARCHAR;
        ALTER TABLE events ADD COLUMN lat DOUBLE;
        ALTER TABLE events ADD COLUMN lon DOUBLE;
        ALTER TABLE events ADD COLUMN geonames_id BIGINT;
        """,
    ),
    (
        7,
        "mentions say whether they name a place (where something happened) rather than an actor",
        "ALTER TABLE mentions ADD COLUMN place BOOLEAN NOT NULL DEFAULT false;",
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]
# Every read-only connection: no files, network or extensions beyond the store itself, and no SET
# to undo that. Passed at connect time, so no statement runs before they hold; DuckDB applies
# lock_configuration last (checked in tests/test_api.py: each probe fails with E402).
READ_ONLY_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "enable_external_access": False,
    "lock_configuration": True,
}
