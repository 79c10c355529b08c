"""Logging set up while standard error was swapped (a CLI runner capturing a command's output) keeps writing once
that stream was closed and standard error restored: to standard error as it is at each line."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from bot.logs import configure


@pytest.fixture
def root_kept() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)


@pytest.mark.usefixtures("root_kept")
def test_a_line_after_the_stream_of_its_set_up_was_closed_goes_to_standard_error_as_it_is_now(
        monkeypatch: pytest.MonkeyPatch) -> None:
    captured = io.StringIO()
    monkeypatch.setattr(sys, "stderr", captured)
    configure("INFO")
    captured.close()  # the runner is done with it
    now = io.StringIO()
    monkeypatch.setattr(sys, "stderr", now)
    logging.getLogger("podium.test").info("job ran")
    assert "Logging error" not in now.getvalue()
    assert "INFO podium.test: job ran" in now.getvalue()
