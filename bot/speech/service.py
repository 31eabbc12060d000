"""`Speech.render(text, lang, fmt)`: a reply as an audio file, cached, with its URL name."""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.languages import fallback_chain
from bot.speech.audio import AudioFormat, encode, ffmpeg_available
from bot.speech.cache import MediaCache
from bot.speech.engines import EspeakEngine, SpeechEngine, SpeechError
from bot.speech.recordings import Recording, Recordings

log = logging.getLogger(__name__)

#: "2. Register": an option line of a numbered menu (bot/engine/runner.py `_numbered`).
_OPTION_LINE = re.compile(r"^(\d+)[.)]\s+(.+)$")
#: Links are read letter by letter by any engine: the text shows them, the voice skips them.
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True, slots=True)
class Spoken:
    """A rendered prompt: served at `/media/{filename}`."""

    filename: str
    fmt: AudioFormat
    #: Whether the audio was already in the cache (nothing was rendered).
    cached: bool


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str | None = None
    recording: Recording | None = None


class Speech:
    def __init__(
        self, engine: SpeechEngine, cache: MediaCache, recordings: Recordings | None = None
    ) -> None:
        self.engine = engine
        self.cache = cache
        self.recordings = recordings or Recordings.empty()
        self._renders: dict[str, asyncio.Lock] = {}

    def voice_for(self, lang: str) -> str | None:
        """The engine's voice for `lang`, else its fallback's (Mam, Q'anjob'al -> Spanish)."""
        for code in fallback_chain(lang):
            voice = self.engine.voice_for(code)
            if voice is not None:
                return voice
        return None

    def speaks(self, lang: str) -> bool:
        return self.voice_for(lang) is not None

    def _pieces(self, text: str, lang: str) -> list[_Piece]:
        pieces: list[_Piece] = []
        words: list[str] = []

        def say(line: str) -> None:
            line = _URL.sub("", line).strip()
            if line:
                words.append(line)

        def play(recording: Recording) -> None:
            if words:
                pieces.append(_Piece(text="\n".join(words)))
                words.clear()
            pieces.append(_Piece(recording=recording))

        for raw in text.splitlines():
            line = raw.strip()
            if not line:
                continue
            whole = self.recordings.find(lang, line)
            option = _OPTION_LINE.match(line)
            label = self.recordings.find(lang, option.group(2)) if option else None
            if whole is not None:
                play(whole)
            elif option is not None and label is not None:
                say(f"{option.group(1)}.")
                play(label)
            else:
                say(line)
        if words:
            pieces.append(_Piece(text="\n".join(words)))
        return pieces

    def _key(self, pieces: list[_Piece], voice: str, fmt: AudioFormat) -> str:
        parts = [self.engine.name, voice, fmt.value]
        for piece in pieces:
            parts.append(
                f"rec:{piece.recording.digest}" if piece.recording else f"say:{piece.text}"
            )
        return f"{self.cache.name_for(parts)}.{fmt.value}"

    def render(self, text: str, lang: str, fmt: AudioFormat = AudioFormat.OGG) -> Spoken:
        """Blocking (espeak-ng and ffmpeg run as programs): call `arender` from async code."""
        voice = self.voice_for(lang)
        if voice is None:
            raise SpeechError(f"no voice for {lang!r}")
        pieces = self._pieces(text, lang)
        if not pieces:
            raise SpeechError("nothing to say")
        filename = self._key(pieces, voice, fmt)
        if self.cache.touch(filename):
            return Spoken(filename, fmt, cached=True)
        with tempfile.TemporaryDirectory(prefix="frontdoor-speech-") as tmp:
            paths: list[Path] = []
            for index, piece in enumerate(pieces):
                if piece.recording is not None:
                    paths.append(piece.recording.path)
                else:
                    assert piece.text is not None
                    wav = Path(tmp) / f"{index}.wav"
                    wav.write_bytes(self.engine.synthesize(piece.text, voice))
                    paths.append(wav)
            self.cache.put(filename, encode(paths, fmt))
        log.info("rendered %s (%s, %d pieces)", filename, voice, len(pieces))
        return Spoken(filename, fmt, cached=False)

    async def arender(self, text: str, lang: str, fmt: AudioFormat = AudioFormat.OGG) -> Spoken:
        """Off the event loop; one render per prompt at a time (the second waits, then hits)."""
        voice = self.voice_for(lang)
        lock = self._renders.setdefault(f"{voice}|{fmt}|{text}", asyncio.Lock())
        try:
            async with lock:
                return await asyncio.to_thread(self.render, text, lang, fmt)
        finally:
            if not lock.locked():
                self._renders.pop(f"{voice}|{fmt}|{text}", None)


def open_speech(
    engine_setting: str, media_dir: Path, secret: str, ttl: float, recordings: Recordings
) -> Speech | None:
    """The configured speech service; None when off (or, with "auto", not installed)."""
    if engine_setting == "none":
        return None
    installed = EspeakEngine.available() and ffmpeg_available()
    if not installed:
        if engine_setting == "auto":
            log.warning(
                "espeak-ng or ffmpeg is not installed: no voice notes and no phone prompts "
                "(Debian: apt-get install espeak-ng ffmpeg)"
            )
            return None
        raise SpeechError("FRONTDOOR_SPEECH_ENGINE=espeak-ng needs espeak-ng and ffmpeg on PATH")
    return Speech(EspeakEngine(), MediaCache(media_dir, secret, ttl=ttl), recordings)
