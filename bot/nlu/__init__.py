"""NLU components for the Rasa server (like bot/channels and bot/policies, these import Rasa)."""
