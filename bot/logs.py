"""Logging for a process that serves: plain lines for a terminal, one JSON object a line (LOG_FORMAT=json)
for a log collector. python-json-logger writes the JSON, with every `extra=` field kept."""

from __future__ import annotations

import logging
import sys


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the standard error of the moment, not the one of when logging was set up: whoever swapped it
    since (a CLI runner that captured a command's output, then closed its stream) would otherwise leave every
    later line going to a closed file."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # under the handler's lock, as every emit
        super().emit(record)


def configure(level: str, fmt: str = "text") -> None:
    handler = _Stderr()
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}, timestamp=False))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
