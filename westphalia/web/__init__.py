"""The web dashboard (optional extra: pip install 'westphalia[web]')."""

from __future__ import annotations

from typing import Any

__all__ = ["check_assets", "create_app"]


def __getattr__(name: str) -> Any:
    # Lazy, so `westphalia.web.assets` is importable without FastAPI (westphalia doctor).
    if name in __all__:
        from . import app

        return getattr(app, name)
    raise AttributeError(name)
