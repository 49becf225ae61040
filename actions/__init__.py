"""Rasa SDK actions: thin adapters that read slots/entities, ask bot/ for an answer and send it."""
