from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from conftest import run_cli

from westphalia.export import GDELT_COLUMNS

pytestmark = pytest.mark.slow


def _export(store: Path, fmt: str, out: Path, *extra: str) -> None:
    result = run_cli(
        "export", "--format", fmt, "--out", str(out), "--store", str(store), *extra, cwd=out.parent
    )
    assert result.returncode == 0, result.stderr


def test_gdelt_export_loads_with_the_gdelt_header(demo_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.gdelt.tsv"
    _export(demo_store, "gdelt", out)
    frame = pd.read_csv(
        out, sep="\t", header=None, names=list(GDELT_COLUMNS), dtype=str, keep_default_na=False
    )
    # the demo store holds 100 events (no attribution statements, no actors of unknown country)
    assert len(GDELT_COLUMNS) == 61 and frame.shape[1] == 61 and len(frame) >= 90
    assert frame["EventCode"].str.fullmatch(r"\d{2,4}").all()
    assert (frame["EventRootCode"] == frame["EventCode"].str[:2]).all()
    assert frame["EventCode"].str.startswith("0").any()  # leading zeros kept: codes are strings
    assert (
        frame["SQLDATE"].str.fullmatch(r"\d{8}").all()
        and frame["GLOBALEVENTID"].str.isdigit().all()
    )
    assert frame["QuadClass"].isin(["1", "2", "3", "4"]).all()
    chn_pak = frame[(frame.Actor1CountryCode == "CHN") & (frame.Actor2CountryCode == "PAK")]
    assert len(chn_pak) > 0 and (chn_pak.Actor1Name.str.isupper()).all()
    # located events carry a point: type, name, FIPS code, coordinates and feature id
    placed = frame[frame.ActionGeo_Type != ""]
    assert len(placed) >= 10
    assert placed.ActionGeo_Type.isin(["1", "3", "4"]).all()
    assert (placed.ActionGeo_Lat != "").all() and (placed.ActionGeo_FeatureID != "").all()
    assert placed.ActionGeo_Lat.astype(float).between(-90, 90).all()
    assert placed.ActionGeo_Long.astype(float).between(-180, 180).all()
    islamabad = placed[placed.ActionGeo_FullName == "Islamabad, Pakistan"]
    assert len(islamabad) and (islamabad.ActionGeo_CountryCode == "PK").all()  # FIPS, not ISO
    assert (islamabad.ActionGeo_FeatureID == "1176615").all()  # its GeoNames id
    assert islamabad.ActionGeo_Lat.astype(float).between(33.5, 34.0).all()


def test_parquet_csv_jsonl_agree(demo_store: Path, tmp_path: Path) -> None:
    for fmt in ("parquet", "csv", "jsonl"):
        _export(demo_store, fmt, tmp_path / f"events.{fmt}", "--actor", "PAK")
    parquet = pd.read_parquet(tmp_path / "events.parquet")
    csv = pd.read_csv(tmp_path / "events.csv", dtype={"code": str})
    jsonl = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert len(parquet) == len(csv) == len(jsonl) > 0
    assert list(parquet["id"]) == list(csv["id"]) == [r["id"] for r in jsonl]
    assert all("PAK" in (r["source"][:3], r["target"][:3]) for r in jsonl)
    assert set(parquet["code"]) == set(csv["code"])
    for column in ("geo_type", "geo_name", "lat", "lon", "geonames_id"):
        assert column in parquet.columns and column in csv.columns and column in jsonl[0]
    located = parquet[parquet["geo_type"].notna()]
    assert len(located) and located["lat"].notna().all()


def test_graphml_export_is_the_network(demo_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "network.graphml"
    _export(demo_store, "graphml", out)
    graph = nx.read_graphml(out)
    assert {"RUS", "PAK", "CHN"} <= set(graph.nodes)
    assert graph["CHN"]["PAK"]["sign"] == 1 and graph["CHN"]["PAK"]["weight"] > 0


def test_export_unknown_format_says_which_exist(demo_store: Path, tmp_path: Path) -> None:
    result = run_cli(
        "export", "--format", "xml", "--out", "x", "--store", str(demo_store), cwd=tmp_path
    )
    assert result.returncode == 2
    shown = " ".join(result.stderr.split())
    assert "Invalid value for '--format'" in shown
    assert "'xml' is not one of 'gdelt', 'parquet', 'jsonl', 'csv', 'graphml'" in shown
