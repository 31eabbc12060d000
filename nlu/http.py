"""``POST /model/parse``, answering like a Rasa NLU server, so Rasa tooling works against us."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from nlu.result import Parser, ParseResult

__all__ = ["ParseRequest", "make_router"]


class ParseRequest(BaseModel):
    """Rasa's request body; ``lang`` is frontdoor's addition (optional)."""

    text: str = Field(max_length=4096)
    lang: str | None = Field(default=None, max_length=16)


def make_router(parser: Parser) -> APIRouter:
    """A router with ``POST /model/parse`` bound to ``parser`` (the app decides the prefix)."""
    router = APIRouter()

    @router.post("/model/parse", response_model=None)
    def parse(request: ParseRequest) -> dict[str, Any]:
        # Sync on purpose: parsing is CPU-bound microseconds; FastAPI runs it in a thread.
        # Returned as a plain dict: pydantic rejects typing.TypedDict on Python < 3.12.
        result: ParseResult = parser.parse(request.text, request.lang)
        return dict(result)

    return router
