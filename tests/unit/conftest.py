from __future__ import annotations

from datetime import datetime

import pytest

from bot.domain.stage import Stage
from tests.support.builders import NOW, open_stage


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def stage() -> Stage:
    """A live public stage with default rules; host, ann, bob, cat, dan and eve are in the room."""
    return open_stage()
