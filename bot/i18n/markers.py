"""Marks sentences for the catalogues without translating them (Babel extracts ``N_``)."""

from __future__ import annotations


def N_(message: str) -> str:
    return message
