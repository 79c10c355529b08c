# Every target builds its own virtual environment; nothing installed by hand is assumed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test fuzz bench bench-replays bench-scale bench-community bench-follows chaos system-deps clean catalogues image screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# setuptools reports every editable install as a warning block; it is no news here.
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# libopus is needed for voice; installed where the machine allows it (root with apt-get).
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libopus.so.0; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq libopus0 >/dev/null 2>&1 || (apt-get update -qq >/dev/null && apt-get install -y -qq libopus0 >/dev/null)) \
	      || echo "warning: could not install libopus0; voice cues are disabled"; \
	  else echo "warning: libopus0 is missing and cannot be installed here; voice cues are disabled"; fi; \
	fi

# ARGS=--fresh starts from an empty demo database (data/demo.db; the bot's own database is never touched).
demo: $(STAMP)
	@$(BIN)/podium console $(ARGS)

# The layers (import-linter contracts in pyproject.toml) and the types (mypy, strict on bot/) first: seconds.
# The tests on TEST_JOBS workers (pytest-xdist): most of a test's time is spent waiting for fake platforms and
# child processes, so workers overlap those waits; three on two cores beat two on a slow machine, and a fourth
# added nothing (docs/benchmarks.md); an idle worker takes tests still queued on a busy one (--dist worksteal),
# so the run does not end on one worker's queue. Every test has its own database (a SQLite file, a PostgreSQL
# schema) and its own ports. TEST_JOBS=0: one process.
TEST_JOBS ?= 3
test: $(STAMP) system-deps
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) $(if $(filter 0,$(TEST_JOBS)),,--dist worksteal)

# The property-based tests (tests/property) with the longer Hypothesis profile; `make test` runs them with a
# bounded budget. Prints how many examples each tried (figures for docs/benchmarks.md, "Hostile input").
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/property --hypothesis-show-statistics

bench: $(STAMP)
	$(BIN)/python -m bench

# A recorded stage of one simulated hour: memory while capturing and mixing, CPU per speaker (needs libopus).
bench-replays: $(STAMP) system-deps
	$(BIN)/python -m bench.replay_bench

# Scale against raw loops in one run: SQLite and PostgreSQL storms, 100 stages at once, round trips on the wire,
# one process against two on one PostgreSQL (CPU of bots and server from /proc). ROUNDS=3 by default;
# ONLY=processes runs the process comparisons alone (their rounds vary most: more of them, e.g. ROUNDS=7).
bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale $(or $(ROUNDS),3) $(ONLY)

# Community figures (issue 15): /leaderboard over 1,000 stages x 500 members.
bench-community: $(STAMP)
	$(BIN)/python -m bench.community_bench

# 5,000 followers told of one stage opening, through the real Discord and Slack adapters against the fakes
# (Discord's global limit, Slack's posting limits): time to the last DM, 429s. FOLLOWERS, RUNS, DM_RATE to change.
bench-follows: $(STAMP)
	$(BIN)/python -m bench.follow_bench --runs $(or $(RUNS),3) --followers $(or $(FOLLOWERS),5000) \
		$(if $(DM_RATE),--dm-rate $(DM_RATE))

# Two processes on one PostgreSQL, 10,000 raised hands on the same ten stages at once: none refused, all stored.
bench-contention: $(STAMP)
	$(BIN)/python -m bench.contention

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .import_linter_cache .grimp_cache

# Refresh the message template and the catalogues after changing user-facing sentences.
catalogues: $(STAMP)
	$(BIN)/pybabel extract --no-default-keywords -k N_ --sort-by-file --omit-header \
	  -o bot/i18n/podium.pot bot adapters scheduler
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i bot/i18n/podium.pot -d bot/i18n/locales -D podium -l fr

# The container image, built and exercised here without a registry (see README, "Container"): a minimal bookworm
# made with debootstrap from the Debian mirror apt uses, imported into podman as the base; the project's wheels
# built on this machine; then deploy/check.Containerfile runs podium --help, podium doctor (SQLite) and the
# console's sample script inside the image. Not part of `make test` (slow: about 10 minutes on 2 cores).
IMAGE         ?= localhost/podium
IMAGE_BASE    ?= localhost/bookworm-min
IMAGE_ROOT    ?= /var/tmp/podium-image/root
DEBIAN_MIRROR ?= $(shell sed -n -e 's/^URIs: *//p' -e 's/^deb  *\(http[^ ]*\) .*/\1/p' \
                   /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -v security | head -n 1)

image: $(STAMP)
	@command -v podman >/dev/null && command -v debootstrap >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq podman debootstrap >/dev/null)
	@podman image exists $(IMAGE_BASE) || { \
	  [ -x $(IMAGE_ROOT)/bin/sh ] || debootstrap --variant=minbase bookworm $(IMAGE_ROOT) $(DEBIAN_MIRROR); \
	  tar -C $(IMAGE_ROOT) -c . | podman import - $(IMAGE_BASE); }
	rm -rf build/wheels
	$(BIN)/pip wheel --quiet --wheel-dir build/wheels . "setuptools>=77" wheel
	podman build --isolation chroot --format docker --build-arg BASE=$(IMAGE_BASE) \
	  --build-arg PIP_ARGS="--no-index --find-links /src/build/wheels" -t $(IMAGE):latest .
	podman build --isolation chroot --format docker --build-arg IMAGE=$(IMAGE):latest -f deploy/check.Containerfile \
	  -t $(IMAGE)-check:latest .
	@podman image inspect --format '{{.Config.User}} {{.Config.Entrypoint}} {{.Config.Cmd}}' $(IMAGE):latest

# The README's board pictures (docs/img/): a stage on the fake Discord and the fake Slack, each board as the fake
# recorded it, rendered as HTML (tests/fakes/render.py) and photographed by headless Chromium.
screenshots: $(STAMP)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null)
	$(BIN)/python docs/screenshots.py

# Kills `podium run` (Slack, then Discord) at random moments of a storm, on SQLite and PostgreSQL, and reports
# what was lost or doubled (bench/chaos.py, bench/chaos_discord.py), then runs two processes on one PostgreSQL.
# CHAOS_KILLS (default 100), CHAOS_COMMANDS (10000), CHAOS_PLATFORMS (slack,discord) and CHAOS_DATABASES
# (sqlite,postgresql) bound it. At a lower priority: it loads every core for about half an hour.
chaos: $(STAMP)
	nice -n 10 $(BIN)/python -m bench.chaos
