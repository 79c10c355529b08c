"""The Discord adapter: Podium on discord.py, in the same asyncio process as the core (`podium run`).

service     serve(app, settings, stop): points discord.py at the settings' addresses, runs the client
client      gateway events in: voice states, stage instances, ready/resumed (reconciliation), the command tree
commands_*  the application commands, one core command each; autocomplete.py suggests stages and members
buttons     the board's persistent buttons and the moderators' pick list (dynamic items: stage id in custom id)
replies     answering interactions in time, ephemeral, in the reader's language; targets.py finds the stage
voice       voice-state updates as presence, hands and floor changes, in order per stage channel
reconcile   Discord's view against the database at start-up and after every reconnect
platform    the core's StagePlatform: floor, board, messages, access; access.py, boards.py, direct.py do the work
failures    Discord's refusals told to the moderators; pacing.py keeps bulk work under the rate limits
cli         `podium discord sync | invite-url`
"""
