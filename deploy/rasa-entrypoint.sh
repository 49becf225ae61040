#!/bin/sh
# Start one Rasa server in its container, configured from the environment as scripts/serve.sh does:
# channels from credentials.yml plus the Slack/Telegram variables, conversations in DB_URL with
# locks in REDIS_URL, and the HTTP API only when RASA_API_TOKEN is set.
set -eu
python -m bot.channels.config --out /tmp/credentials.yml
python -m bot.endpoints_config --output /tmp/endpoints.yml
set -- run --model models/bpo-careers.tar.gz --port 5005 \
  --credentials /tmp/credentials.yml --endpoints /tmp/endpoints.yml
if [ -n "${RASA_API_TOKEN:-}" ]; then
  set -- "$@" --enable-api --auth-token "$RASA_API_TOKEN"
fi
exec rasa "$@"
