"""The staff module's own messages: `flows/staff.messages.yaml` (staff mode, notices to
applicants) and `flows/portal.messages.yaml` (the web portal), loaded by the flow loader as
`staff.*` and `portal.*` and held to the same reviewed catalogs as every flow message (a missing
translation stops start-up)."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from bot.engine.flowset import FlowSet
from bot.i18n import Catalogs


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "-"


@dataclass(frozen=True)
class Texts:
    catalogs: Catalogs
    messages: dict[str, str]

    @classmethod
    def from_flowset(cls, flowset: FlowSet, catalogs: Catalogs, prefix: str) -> Texts:
        head = prefix + "."
        return cls(
            catalogs,
            {k.removeprefix(head): v for k, v in flowset.messages.items() if k.startswith(head)},
        )

    def __call__(self, lang: str, key: str, **values: Any) -> str:
        template = self.catalogs.gettext(lang, self.messages[key])
        if not values:
            return template
        return string.Formatter().vformat(template, (), _Blank(values))
