# The action server: the official rasa-sdk image plus the project's actions and bot/ package.
FROM rasa/rasa-sdk:3.6.2

USER root
WORKDIR /app
# bot.knowledge reads bot/knowledge.yml; the same PyYAML pin as requirements.txt.
RUN pip install --no-cache-dir pyyaml==6.0.1
COPY bot/ bot/
COPY actions/ actions/

ENV PYTHONPATH=/app
USER 1001
EXPOSE 5055
CMD ["start", "--actions", "actions"]
