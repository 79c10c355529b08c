"""`podium slack …`: the app manifest to install Podium in a workspace. Nothing Slack is imported here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

MANIFEST = Path(__file__).with_name("manifest.yml")
PLACEHOLDER_URL = "https://podium.example.com/slack/events"

slack_app = typer.Typer(help="Slack: the app manifest.", no_args_is_help=True)


def manifest(url: str | None = None, *, socket_mode: bool = False) -> str:
    """The manifest with the Request URL filled in, or set for Socket Mode (no Request URL at all)."""
    text = MANIFEST.read_text(encoding="utf-8")
    if socket_mode:
        kept = [line for line in text.splitlines() if PLACEHOLDER_URL not in line]
        return "\n".join(kept).replace("socket_mode_enabled: false", "socket_mode_enabled: true") + "\n"
    return text.replace(PLACEHOLDER_URL, url) if url else text


@slack_app.command("manifest")
def print_manifest(
    url: Annotated[str | None, typer.Option(help="Your Request URL, e.g. https://podium.example.org/slack/events")]
    = None,
    socket_mode: Annotated[bool, typer.Option(help="For Socket Mode (SLACK_APP_TOKEN): no Request URL.")] = False,
) -> None:
    """Print the Slack app manifest to paste at api.slack.com/apps."""
    from bot.launch import fail
    from bot.startup import StartupError

    if not socket_mode and not url:
        fail(StartupError("--url", None, "is missing: Slack sends commands and clicks to your Request URL",
                          "--url https://YOUR-HOST/slack/events (HTTP mode), or --socket-mode"))
    if url and not url.startswith("https://"):
        fail(StartupError("--url", url, "is not an https:// address; Slack calls only TLS endpoints",
                          "--url https://YOUR-HOST/slack/events, served by a TLS proxy in front of SLACK_PORT"))
    typer.echo(manifest(url, socket_mode=socket_mode), nl=False)
