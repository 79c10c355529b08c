"""Tags on stages and series (`tags=pricing,design`): what people follow and find rooms by.

A tag is kept in one form whatever way it was typed (`#Pricing`, `PRICING`, `pricing`), so that a follow of
`pricing` matches a stage tagged `#Pricing`. Letters of any script, digits, `-` and `_` only: a tag is a word
people type after `/follow tag`, not a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.domain.errors import StageError
from bot.i18n.markers import N_

MAX_TAGS = 5
MAX_TAG = 24  # characters
_SPLIT = re.compile(r"[,;\s、，]+")  # commas as people type them (also the ideographic ones), or spaces


class TooManyTags(StageError):
    message = N_("At most {max} tags; “{tags}” makes {count}.")


class TagTooLong(StageError):
    message = N_("A tag is at most {max} characters long; “{tag}” has {length}.")


class BadTag(StageError):
    message = N_("A tag holds only letters, digits, - and _; “{tag}” does not.")


def tag_of(typed: str) -> str:
    """One tag as kept: Unicode-normalised (NFKC), lowercased, a leading # dropped; refused when it holds
    anything but letters, digits, - and _, or is longer than MAX_TAG."""
    tag = unicodedata.normalize("NFKC", typed.strip()).casefold().lstrip("#")
    if not tag or not all(ch.isalnum() or ch in "-_" for ch in tag) or tag.strip("-_") == "":
        raise BadTag(tag=typed.strip()[:40])
    if len(tag) > MAX_TAG:
        raise TagTooLong(max=MAX_TAG, tag=tag[:40], length=len(tag))
    return tag


def parse_tags(typed: str | Iterable[str]) -> tuple[str, ...]:
    """Tags as typed (`pricing, design`, `#pricing #design`) or as a list, to the tags kept: each checked,
    repeats dropped, in the order given; at most MAX_TAGS."""
    pieces = _SPLIT.split(typed) if isinstance(typed, str) else [p for t in typed for p in _SPLIT.split(t)]
    kept: list[str] = []
    for piece in pieces:
        if piece.strip():
            tag = tag_of(piece)
            if tag not in kept:
                kept.append(tag)
    if len(kept) > MAX_TAGS:
        raise TooManyTags(max=MAX_TAGS, count=len(kept), tags=", ".join(kept)[:120])
    return tuple(kept)


def shown(tags: Iterable[str]) -> str:
    """Tags as people read them: `#pricing #design`."""
    return " ".join(f"#{tag}" for tag in tags)
