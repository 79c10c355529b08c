"""The OAuth2 invitation: exactly the permissions the adapter uses, and the scopes it needs."""

from __future__ import annotations

import discord

SCOPES = ("bot", "applications.commands")


def required_permissions() -> discord.Permissions:
    """Each one is used: stage moderation (manage channels, mute and move members: the stage instance, the
    floor, disconnecting), channel access (manage roles and connect: overwrites grant only what the bot holds),
    the board and recap (view channel, send messages, embed links; read message history: after a restart, a
    board posted but not recorded is found rather than posted twice), and scheduled stages as the server's
    events (create events: the bot edits only the events it created)."""
    return discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True,
                               connect=True,
                               manage_channels=True, manage_roles=True, mute_members=True, move_members=True,
                               create_events=True)


def invite_url(client_id: int) -> str:
    return discord.utils.oauth_url(client_id, permissions=required_permissions(), scopes=SCOPES)
