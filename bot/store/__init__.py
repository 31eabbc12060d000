"""Conversation storage: one protocol, an in-memory backend and a Redis backend."""
