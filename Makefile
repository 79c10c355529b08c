# Every target builds its own virtual environment; nothing installed by hand is assumed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench bench-replays chaos system-deps clean catalogues

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# libopus is needed for voice; installed where the machine allows it (root with apt-get).
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libopus.so.0; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq libopus0 >/dev/null 2>&1 || (apt-get update -qq >/dev/null && apt-get install -y -qq libopus0 >/dev/null)) \
	      || echo "warning: could not install libopus0; voice cues are disabled"; \
	  else echo "warning: libopus0 is missing and cannot be installed here; voice cues are disabled"; fi; \
	fi

demo: $(STAMP)
	@$(BIN)/podium console

# The layers (import-linter contracts in pyproject.toml) and the types (mypy, strict on bot/) first: seconds.
test: $(STAMP) system-deps
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench

# A recorded stage of one simulated hour: memory while capturing and mixing, CPU per speaker (needs libopus).
bench-replays: $(STAMP) system-deps
	$(BIN)/python -m bench.replay_bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .import_linter_cache .grimp_cache

# Refresh the message template and the catalogues after changing user-facing sentences.
catalogues: $(STAMP)
	$(BIN)/pybabel extract --no-default-keywords -k N_ --sort-by-file --omit-header \
	  -o bot/i18n/podium.pot bot adapters scheduler
	$(BIN)/pybabel update --no-fuzzy-matching -i bot/i18n/podium.pot -d bot/i18n/locales -D podium -l fr

# Kills `podium run` at random moments of a storm, on SQLite and PostgreSQL, and reports what was lost or
# doubled (bench/chaos.py). CHAOS_KILLS (default 100) and CHAOS_COMMANDS (10000) bound it.
chaos: $(STAMP)
	$(BIN)/python -m bench.chaos
