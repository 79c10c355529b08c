"""Fixtures for running the real discord.py against the loopback fake Discord (see tests/support/discord.py)."""

from __future__ import annotations

from tests.support.discord import discord_errors, fake_discord  # noqa: F401 - fixtures
