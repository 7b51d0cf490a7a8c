"""Where the dashboard's files live; importable without the web extra (used by `doctor`)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

STATIC = Path(str(files("westphalia.web") / "static"))
NODE_MODULES = Path(str(files("westphalia.web"))) / "node_modules"
# The front-end libraries, installed by `npm ci --prefix westphalia/web` from package-lock.json
# and shipped inside the wheel (pyproject.toml package-data names these exact files).
VENDOR = {
    "cytoscape.min.js": NODE_MODULES / "cytoscape" / "dist" / "cytoscape.min.js",
    "chart.umd.min.js": NODE_MODULES / "chart.js" / "dist" / "chart.umd.min.js",
    # the map: country shapes (Natural Earth 1:110m as TopoJSON) drawn with d3-geo
    "d3-array.min.js": NODE_MODULES / "d3-array" / "dist" / "d3-array.min.js",
    "d3-geo.min.js": NODE_MODULES / "d3-geo" / "dist" / "d3-geo.min.js",
    "topojson-client.min.js": NODE_MODULES / "topojson-client" / "dist" / "topojson-client.min.js",
    "countries-110m.json": NODE_MODULES / "world-atlas" / "countries-110m.json",
}


def missing_assets() -> list[Path]:
    """The front-end files that are not installed (empty when the dashboard can be served)."""
    return [p for p in [STATIC / "index.html", *VENDOR.values()] if not p.is_file()]
