"""A loopback fake of Discord (REST + gateway) for the real discord.py client.

Start it with ``async with FakeDiscord() as fake:`` and point discord.py at it
with ``async with pointed_at(fake):`` (or the ``fake_discord`` fixture in
tests/adapters/conftest.py). See ``server.FakeDiscord`` for the test hooks.
"""

from .client import pointed_at, running
from .driver import ChannelFull
from .errors import DiscordError
from .interactions import InteractionRecord, Response
from .models import DM, STAGE, TEXT, VOICE
from .server import FakeDiscord, RecordedRequest
from .spec import Violation

__all__ = [
    "ChannelFull",
    "DM",
    "DiscordError",
    "FakeDiscord",
    "InteractionRecord",
    "RecordedRequest",
    "Response",
    "STAGE",
    "TEXT",
    "VOICE",
    "Violation",
    "pointed_at",
    "running",
]
