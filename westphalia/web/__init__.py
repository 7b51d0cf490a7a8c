"""The web dashboard (optional extra: pip install 'westphalia[web]')."""

from .app import check_assets, create_app

__all__ = ["check_assets", "create_app"]
