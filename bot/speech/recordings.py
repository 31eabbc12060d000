"""Recorded human audio that replaces the synthetic voice, message by message.

Layout (one folder per language, so a future language pack folder takes it as it is):

    translations/<lang>/audio/recordings.yaml     msgid (the English source) -> file name
    translations/<lang>/audio/<file>              any format ffmpeg reads (.ogg, .m4a, .wav...)

for example `translations/mam/audio/recordings.yaml`:

    "What would you like to do?": menu-what-would-you-like.ogg
    "Register": menu-register.ogg

A line of a reply whose text is the message (in that language, as the catalog shows it) is
played from the recording; an option line ("2. Register") says its number in the synthetic
voice and plays the recorded label. Messages with placeholders ({household}...) are said by the
engine, since their text changes. A recording of a msgid no catalog knows, or a missing file,
stops start-up (like a broken flow).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.i18n import Catalogs

MAPPING_FILE = "recordings.yaml"
AUDIO_DIR = "audio"


class RecordingsError(ValueError):
    """A recordings.yaml that names a missing file or an unknown message."""


@dataclass(frozen=True, slots=True)
class Recording:
    path: Path
    #: Content digest: part of the cache key, so a new take replaces the old audio at once.
    digest: str


class Recordings:
    def __init__(self, by_text: dict[str, dict[str, Recording]]) -> None:
        #: lang -> shown text -> recording
        self._by_text = by_text

    @classmethod
    def empty(cls) -> Recordings:
        return cls({})

    @classmethod
    def load(cls, translations_dir: Path, catalogs: Catalogs) -> Recordings:
        source = catalogs.catalog("en")
        by_text: dict[str, dict[str, Recording]] = {}
        for mapping in sorted(translations_dir.glob(f"*/{AUDIO_DIR}/{MAPPING_FILE}")):
            lang = mapping.parent.parent.name
            entries = yaml.safe_load(mapping.read_text(encoding="utf-8")) or {}
            if not isinstance(entries, dict):
                raise RecordingsError(f"{mapping}: expected 'msgid: file' lines")
            table: dict[str, Recording] = {}
            for msgid, name in entries.items():
                if source is not None and str(msgid) not in source:
                    raise RecordingsError(f"{mapping}: no message {msgid!r} in the catalogs")
                path = mapping.parent / str(name)
                if not path.is_file():
                    raise RecordingsError(f"{mapping}: {msgid!r}: no file {path.name}")
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                table[catalogs.gettext(lang, str(msgid)).strip()] = Recording(path, digest)
            by_text[lang] = table
        return cls(by_text)

    def find(self, lang: str, text: str) -> Recording | None:
        return self._by_text.get(lang, {}).get(text.strip())

    def languages(self) -> list[str]:
        return sorted(lang for lang, table in self._by_text.items() if table)
