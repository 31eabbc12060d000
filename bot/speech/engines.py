"""Text-to-speech engines: a protocol, and espeak-ng (Debian's `espeak-ng`) behind it.

An engine turns one text in one voice into WAV bytes. Its `name` is part of the cache key, so
a change of engine (or of its settings) never serves audio made by another one. Numbers, dates
and times are spoken in words by the voice's own rules (espeak-ng reads "12" as "doce" in
es-419, "douz" in ht and "junk'eb'" in quc); the bot writes dates in words already
(bot/i18n/), so what is spoken is what is shown.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Protocol

#: The espeak-ng voice of each language. Mam and Q'anjob'al have none (recordings only: see
#: recordings.py); languages without a voice are spoken in their fallback's voice (Spanish),
#: which is also the text their catalogs fall back to.
ESPEAK_VOICES: dict[str, str] = {
    "es": "es-419",
    "pt": "pt-br",
    "ht": "ht",
    "quc": "quc",
    "en": "en-us",
}

#: espeak-ng prints this (and may still exit 0) when a voice does not exist.
_VOICE_ERROR = re.compile(r"voice does not exist|error", re.IGNORECASE)


class SpeechError(RuntimeError):
    """The engine could not speak a text (missing program, unknown voice, bad output)."""


class SpeechEngine(Protocol):
    #: Identifies the engine and its settings in cache keys ("espeak-ng/150").
    @property
    def name(self) -> str: ...

    def voice_for(self, lang: str) -> str | None:
        """The voice for a language code, or None when the engine has none."""
        ...

    def synthesize(self, text: str, voice: str) -> bytes:
        """One text in one voice, as a WAV file's bytes."""
        ...


class EspeakEngine:
    """espeak-ng through its command line: text on stdin, WAV on stdout."""

    def __init__(
        self, binary: str = "espeak-ng", *, words_per_minute: int = 150, timeout: float = 30.0
    ) -> None:
        self.binary = binary
        self.words_per_minute = words_per_minute
        self.timeout = timeout

    @property
    def name(self) -> str:
        return f"espeak-ng/{self.words_per_minute}"

    @staticmethod
    def available(binary: str = "espeak-ng") -> bool:
        return shutil.which(binary) is not None

    def voice_for(self, lang: str) -> str | None:
        return ESPEAK_VOICES.get(lang)

    def _run(self, args: list[str], text: str) -> bytes:
        try:
            # The text goes on stdin, never as an argument; no shell: S603 does not apply.
            done = subprocess.run(  # noqa: S603
                [self.binary, *args], input=text.encode(), capture_output=True,
                timeout=self.timeout, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"{self.binary} did not run: {exc}") from exc
        errors = done.stderr.decode(errors="replace").strip()
        # An unknown voice prints an error but may exit 0: the output decides, not the status.
        if done.returncode != 0 or not done.stdout or _VOICE_ERROR.search(errors):
            raise SpeechError(f"{self.binary} {' '.join(args)}: {errors or 'no output'}")
        return done.stdout

    def synthesize(self, text: str, voice: str) -> bytes:
        wav = self._run(["-v", voice, "-s", str(self.words_per_minute), "--stdout"], text)
        if wav[:4] != b"RIFF":
            raise SpeechError(f"{self.binary} -v {voice}: output is not WAV")
        return wav

    def phonemes(self, text: str, voice: str) -> str:
        """What the voice would say, as espeak-ng phoneme mnemonics (tests compare them)."""
        return self._run(["-v", voice, "-q", "-x"], text).decode().strip()
