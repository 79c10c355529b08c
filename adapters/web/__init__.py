"""Podium's own HTTP listener for what is not a platform's: replays too large to attach, behind signed links."""
