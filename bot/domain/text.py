"""Text from members as Podium keeps it: one Unicode form, nothing invisible that changes how it reads.

A title made of control characters, a right-to-left override that turns "gnp.exe" around, zero-width spaces
that make two names look alike, a NUL byte PostgreSQL refuses to store: each is removed here, and what is
left must still say something. Lengths are counted as the platforms count them (UTF-16 code units, as their
JavaScript clients do), so a text Podium accepts always fits where it is shown.
"""

from __future__ import annotations

import unicodedata

# Invisible characters that change how text reads or hide in it. Zero-width joiners and non-joiners stay:
# emoji sequences (👩‍💻) and Persian or Indic words need them.
_INVISIBLE = frozenset(
    "\u00ad"  # soft hyphen
    "\u061c"  # Arabic letter mark
    "\u180e"  # Mongolian vowel separator
    "\u200b"  # zero-width space
    "\u200e\u200f"  # left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space (byte-order mark)
)
_SPACES = frozenset("\t\n\r\x0b\x0c\x85\u2028\u2029")  # line breaks in a one-line text read as a space


def clean(text: str) -> str:
    """NFC, line breaks as spaces, control, surrogate and invisible characters removed, ends stripped."""
    kept = []
    for char in unicodedata.normalize("NFC", text):
        if char in _SPACES:
            kept.append(" ")
        elif char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs"):
            continue
        else:
            kept.append(char)
    return "".join(kept).strip()


def length(text: str) -> int:
    """As Discord and Slack count a text's length: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def is_clean(text: str) -> bool:
    return clean(text) == text
