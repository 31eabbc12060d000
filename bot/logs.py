"""Process-wide logging: plain text for people, or one JSON object per line
(`FRONTDOOR_LOG_FORMAT=json`) for log pipelines. Either way a phone number that slipped into a
message is masked: logs name contacts by their key only."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

#: E.164 numbers, with or without a channel prefix (whatsapp:+52...).
PHONE = re.compile(r"\+\d{8,15}\b")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def mask_phones(text: str) -> str:
    return PHONE.sub("+[phone]", text)


class _MaskingText(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_phones(super().format(record))


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "message"} (+ "exception"), one line per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_phones(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = mask_phones(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int, log_format: str) -> None:
    """Root handler on stderr; uvicorn's own loggers go through it too in JSON mode."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else _MaskingText(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
