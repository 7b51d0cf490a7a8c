from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from westphalia.config import load_settings
from westphalia.errors import ConfigError


def test_layers_apply_in_order(tmp_path: Path) -> None:
    file = tmp_path / "w.toml"
    file.write_text("[dedupe]\nthreshold = 0.8\nnum_perm = 64\n[ingest]\ninclude = ['*.txt']\n")
    settings = load_settings(
        config_file=file,
        env={"WESTPHALIA_DEDUPE__NUM_PERM": "32", "WESTPHALIA_STORE__BATCH_SIZE": "10"},
        overrides=["store.batch_size=20"],
        values={"ingest.default_date": "2021-04-06"},
    )
    assert settings.dedupe.threshold == 0.8  # file
    assert settings.dedupe.num_perm == 32  # env over file
    assert settings.store.batch_size == 20  # --set over env
    assert settings.ingest.include == ("*.txt",)
    assert settings.ingest.default_date == date(2021, 4, 6)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(
            env={}, overrides=["dedupe.threshold=2", "ingest.nope=1", "store.batch_size=x", "oops"]
        )
    message = str(info.value)
    assert "dedupe.threshold (from --set) = '2': must be in (0, 1]" in message
    assert "ingest.nope (from --set): unknown key" in message
    assert "store.batch_size (from --set): invalid literal for int()" in message
    assert "--set 'oops': expected KEY=VALUE" in message


def test_unreadable_settings_file_is_fatal(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[dedupe\n")
    with pytest.raises(ConfigError, match="Cannot read the settings file"):
        load_settings(config_file=bad, env={})


def test_threshold_too_high_for_the_permutations_is_reported() -> None:
    with pytest.raises(
        ConfigError, match=r"dedupe.threshold = 0.99 with dedupe.num_perm = 128: .*raise num_perm"
    ):
        load_settings(env={}, overrides=["dedupe.threshold=0.99"])
