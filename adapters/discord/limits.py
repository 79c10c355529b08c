"""Discord's embed limits (a message over one is refused whole: 400, "Invalid Form Body")."""

from __future__ import annotations

TITLE = 256
DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
TOTAL = 6000  # title, description, field names and values, footer and author, across a message's embeds
