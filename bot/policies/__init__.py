"""Dialogue policies for the Rasa server (like bot/channels, these import Rasa; bot/'s core doesn't)."""
