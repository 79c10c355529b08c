"""Voice cues on Discord stages: sounds made in code (sound.py), played by the bot as a speaker (player.py).

(Not under `voice/`: adapters/discord/voice.py is the voice-state sync.)
"""
