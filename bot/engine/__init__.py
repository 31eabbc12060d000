"""Flows as data: models, loader (with validation), the runner, answer types and actions."""
