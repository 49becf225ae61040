#!/usr/bin/env bash
# Start the action server and the Rasa server together; Ctrl-C stops both.
# Usage: scripts/serve.sh MODEL   (ports from RASA_PORT / ACTIONS_PORT; API on only with RASA_API_TOKEN)
set -euo pipefail
model=$1
bin=.venv/bin
rasa_port=${RASA_PORT:-5005}
actions_port=${ACTIONS_PORT:-5055}
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://localhost:$actions_port/webhook}

# Channels: credentials.yml plus Slack/Telegram when their variables are set (a half-set channel
# stops here, naming the missing variable). The file holds ${VAR} references, never secrets.
mkdir -p results
"$bin/python" -m bot.channels.config --out results/credentials.yml
# Conversations: a SQLite file under var/ that survives restarts, or PostgreSQL (DB_URL) with a Redis
# lock store (REDIS_URL) for several servers. A malformed URL stops here, naming the variable.
"$bin/python" -m bot.endpoints_config --output results/endpoints.yml

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

wait_for() {  # url seconds pid
  for _ in $(seq "$2"); do
    curl -fs -o /dev/null "$1" && return 0
    kill -0 "$3" 2>/dev/null || { echo "error: the server behind $1 exited during start-up (see its log above)" >&2; return 1; }
    sleep 1
  done
  echo "error: $1 did not answer within $2 s" >&2
  return 1
}

# Sanic drops a new connection that sends nothing for 5 s; a Rasa server busy with many conversations
# can take longer between connecting and sending, and the answer would be lost. 60 s leaves room.
SANIC_KEEP_ALIVE_TIMEOUT=${SANIC_KEEP_ALIVE_TIMEOUT:-60} \
  "$bin/rasa" run actions --actions actions --port "$actions_port" &
pids+=($!)
wait_for "http://localhost:$actions_port/health" 60 "${pids[0]}"

api=()
if [ -n "${RASA_API_TOKEN:-}" ]; then
  api=(--enable-api --auth-token "$RASA_API_TOKEN")
fi
# Bodies over 64 KiB are refused (413) before Rasa reads them; a chat message is a few KB. Only the
# Rasa server gets the limit: the action server receives whole conversations, which grow larger.
SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-65536} \
  "$bin/rasa" run --model "$model" --port "$rasa_port" --credentials results/credentials.yml \
  --endpoints results/endpoints.yml "${api[@]}" &
pids+=($!)
wait_for "http://localhost:$rasa_port/" 180 "${pids[1]}"

cat <<MSG

  The BPO Careers Assistant is up.
  Talk to it over REST:
    curl -s localhost:$rasa_port/webhooks/rest/webhook -d '{"sender": "me", "message": "hi"}'
  HTTP API: $([ ${#api[@]} -gt 0 ] && echo "on (token required)" || echo "off (set RASA_API_TOKEN to enable)")
  Operator page: $([ -n "${OPERATOR_TOKEN:-}" ] && echo "http://localhost:$rasa_port/operator/ (password: OPERATOR_TOKEN)" || echo "off (set OPERATOR_TOKEN to enable)")
  Other sites embed the chat with the snippet in README (allow them in WEBCHAT_ALLOWED_ORIGINS).
  Press Ctrl-C to stop both servers.

  open http://localhost:$rasa_port/ to chat

MSG
wait -n "${pids[@]}"
