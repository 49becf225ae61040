# The Rasa server: the official image plus the project's pinned packages (spaCy 3.7 for the
# project's pipeline), its spaCy pipeline and the trained model. Run `make train` before building.
FROM rasa/rasa:3.6.21

USER root
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY bot/ bot/
COPY credentials.yml ./
RUN python -m bot.spacy_pipeline build/spacy-en-bpo
COPY models/bpo-careers.tar.gz models/
COPY deploy/rasa-entrypoint.sh /usr/local/bin/bpo-rasa

ENV PYTHONPATH=/app RASA_TELEMETRY_ENABLED=false
USER 1001
EXPOSE 5005
ENTRYPOINT ["bpo-rasa"]
