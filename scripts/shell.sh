#!/usr/bin/env bash
# Talk to the bot in the terminal: starts the action server, then `rasa shell`; both stop on exit.
set -euo pipefail
model=$1
actions_port=${ACTIONS_PORT:-5055}
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://localhost:$actions_port/webhook}

mkdir -p results
# The same conversation store and action server address as `make run` (results/endpoints.yml).
.venv/bin/python -m bot.endpoints_config --quiet --output results/endpoints-shell.yml
.venv/bin/rasa run actions --actions actions --port "$actions_port" >results/actions-shell.log 2>&1 &
actions=$!
trap 'kill $actions 2>/dev/null; wait $actions 2>/dev/null' EXIT
for _ in $(seq 60); do curl -fs -o /dev/null "http://localhost:$actions_port/health" && break; sleep 1; done
.venv/bin/rasa shell --model "$model" --endpoints results/endpoints-shell.yml --port "${RASA_PORT:-5005}"
