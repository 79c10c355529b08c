"""Recording a Discord stage: receive the speakers' RTP, keep only who consented, mix a chaptered Ogg Opus replay.

rtp.py opens packets, capture.py routes them to per-speaker spools on disk (in discord.py's socket thread, off
the event loop), mixdown.py and oggopus.py turn the spools into the replay, client.py and recorder.py tie it to
discord.py's voice connection.
"""
