"""Time behind the core's Scheduler port.

``aps``: the production scheduler, APScheduler 3 with its jobs in the core's database (``store``: the job
table shared by bot processes, ``leader``: which process runs the jobs, ``background``: its thread,
``jobs``: what a stored job runs, ``codec``: commands as plain data). ``memory``: the in-memory one for the
console and tests, which follows a ManualClock. ``calendar``: occurrences of scheduled series.
"""
