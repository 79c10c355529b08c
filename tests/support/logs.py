"""Failing a test on logged errors: what a user would never see but an operator would."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def failing_on_errors(who: str, *loggers: str) -> Iterator[list[logging.LogRecord]]:
    """Fails the test if these loggers log at ERROR; a test expecting one clears the list it is given."""
    handler = _Collect()
    watched = [logging.getLogger(name) for name in loggers]
    for logger in watched:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in watched:
            logger.removeHandler(handler)
    if handler.records:
        pytest.fail(f"{who} logged errors:\n" + "\n".join(
            f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}" for r in handler.records))
