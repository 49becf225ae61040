"""The project's Rasa input channels, each named by module path in credentials.yml.

They adapt Rasa's channel classes to this bot (and fix what Rasa 3.6.21 gets wrong); they import
Rasa, so the rest of `bot/` never imports this package.

- `bot.channels.rest.ValidatedRestInput`: Rasa's REST channel, refusing malformed requests with a
  400/413 naming the field (`input_rules` holds the limits every channel shares).
- `bot.channels.webchat.WebChatInput`: the web chat: a page at `/`, an embeddable widget and the
  JSON endpoints it talks to, all on the Rasa server's own port (`webchat_requests`: its request
  rules and history).
- `bot.channels.socketio_fixed.FixedSocketIOInput`: Rasa's socket.io channel with
  `session_persistence: true` delivering replies again on python-socketio >= 5.10, the web chat's
  allowed origins (`origins`), the shared input rules, and line breaks kept for Markdown
  (`socketio_output`).
- `bot.channels.slack`, `bot.channels.telegram`: Slack and Telegram, configured by environment
  variables (their replies in `slack_replies`, `telegram_replies`; Telegram's updates in
  `telegram_updates`); `retry` is how both retry a reply the platform refuses for now, `shared` what
  else they share (text splitting, retry memory, `/` commands); `feedback_controls` the 👍/👎 they
  draw under a guide answer and how a press is read back from the conversation (bot/feedback.py).
- `bot.channels.config`: writes the credentials file for `rasa run` from credentials.yml plus the
  environment (`scripts/serve.sh` calls it).
"""
