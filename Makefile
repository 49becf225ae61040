# The BPO Careers Assistant. `make run` to talk to it, `make test` to check it; both set up
# everything they need on a fresh machine (Python 3.10 virtualenv, packages, spaCy pipeline, model).

SHELL := /bin/bash
PYTHON ?= python3.10
VENV := .venv
BIN := $(VENV)/bin
SPACY_DIR := build/spacy-en-bpo
SPACY := $(SPACY_DIR)/patterns.sha256
MODEL := models/bpo-careers.tar.gz
TRAINING := config.yml domain.yml $(wildcard data/*.yml) $(SPACY)

# No calls out of the machine from Rasa itself; actions import bot/ from the project root.
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)

.PHONY: run shell train validate test eval bench report prune clean telegram-webhook
.DEFAULT_GOAL := run

run: $(MODEL)  ## start the action server + Rasa server (REST channel), print where to chat
	scripts/serve.sh $(MODEL)

shell: $(MODEL)  ## talk to the bot in the terminal (the action server is started for you)
	scripts/shell.sh $(MODEL)

train: $(MODEL)  ## train if data, config or the spaCy pipeline changed

validate: $(VENV)/.dev $(SPACY)  ## check the training data; any warning fails
	$(BIN)/rasa data validate --fail-on-warnings

# Chromium, PostgreSQL, Redis, nginx and docker-compose come from scripts/test-services.sh, which
# installs and starts what is missing or says which command would. A skipped test fails the run.
test: validate $(MODEL)  ## every test: knowledge, actions, end-to-end servers, browser, test stories
	@services="$$(scripts/test-services.sh)" && eval "$$services" && \
	  BPO_STRICT_TESTS=1 $(BIN)/pytest -q tests
	$(BIN)/rasa test core --model $(MODEL) --stories tests/test_stories.yml --e2e \
	  --fail-on-prediction-errors --out results/core

eval: $(VENV)/.dev $(MODEL)  ## the blind sets through the real servers, replies judged (docs/evaluation.md)
	$(BIN)/python -m measure.evaluate $(EVAL_ARGS)

# About 25 minutes on 2 cores; `$(BIN)/python -m measure.bench --quick` (about 10) checks that it works.
bench: $(VENV)/.dev $(MODEL)  ## training, start-up, latency, throughput, memory, growth over a conversation vs a stock `rasa init` bot, like for like (docs/benchmarks.md)
	$(BIN)/python -m measure.bench

report: $(VENV)/.installed  ## messages the bot couldn't answer well, from the conversation store (DB_URL or var/)
	$(BIN)/python -m bot.report

prune: $(VENV)/.installed  ## delete conversations older than CONVERSATION_RETENTION_DAYS from the conversation store (DB_URL or var/)
	$(BIN)/python -m bot.retention

telegram-webhook: $(VENV)/.installed  ## tell Telegram where the bot listens (TELEGRAM_* variables, docs/channels.md)
	$(BIN)/python -m bot.channels.telegram set-webhook

clean:
	rm -rf $(VENV) build models results

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null || { \
	  echo "error: $(PYTHON) not found. Rasa 3.6 runs on Python 3.8-3.10 only."; \
	  echo "Install 3.10 (e.g. 'pyenv install 3.10.13', or your OS package python3.10)"; \
	  echo "or point PYTHON= at one: make run PYTHON=/path/to/python3.10"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip==24.2

$(VENV)/.installed: $(VENV)/bin/python requirements.txt
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# Rewritten only when the entity patterns change, so wording edits in knowledge.yml don't retrain.
$(SPACY): $(VENV)/.installed bot/knowledge.yml bot/knowledge.py bot/spacy_pipeline.py bot/ordinals.py
	$(BIN)/python -m bot.spacy_pipeline $(SPACY_DIR)

$(MODEL): $(TRAINING) | $(VENV)/.installed
	$(BIN)/rasa train --force --fixed-model-name bpo-careers --out models
