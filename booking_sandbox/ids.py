"""Opaque, unguessable identifiers with a prefix that says what they name."""

from __future__ import annotations

import uuid


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"
