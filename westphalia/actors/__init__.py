"""Actors: recognise states, organisations and people with roles, coded as CAMEO actors."""

from .gazetteer import Gazetteer, load_gazetteer, load_user_dictionary, split_code
from .resolve import OWNER_PREPS, extract_actors

__all__ = [
    "Gazetteer",
    "OWNER_PREPS",
    "extract_actors",
    "load_gazetteer",
    "load_user_dictionary",
    "split_code",
]
