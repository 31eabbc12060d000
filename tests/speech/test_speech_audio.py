"""Spoken prompts: every voice renders real audio in the expected format and length, the cache
is hit, names are keyed, files expire, and a recording replaces the synthetic voice."""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
import wave
from pathlib import Path

import pytest
from support import tools

from bot.i18n import Catalogs
from bot.settings import Settings
from bot.speech.audio import AudioFormat
from bot.speech.cache import MediaCache
from bot.speech.engines import ESPEAK_VOICES, EspeakEngine, SpeechError
from bot.speech.recordings import Recordings, RecordingsError
from bot.speech.service import Speech

PROMPT = {
    "es": "¿Qué desea hacer?\n1. Registrarse\n2. Pedir la cita de hoy",
    "pt": "O que você quer fazer?\n1. Registrar-se\n2. Pedir a vaga de hoje",
    "ht": "Kisa ou vle fè?\n1. Enskri\n2. Mande randevou jodi a",
    "quc": "Jas kawaj kab'an?\n1. Chatz'ib'aj ab'i'\n2. Chata jun q'ij",
    "en": "What would you like to do?\n1. Register\n2. Request today's appointment",
}


@pytest.fixture(scope="module")
def ffprobe() -> str:
    path: str = tools.or_fail(tools.speech_tools)
    return path


def probe(ffprobe: str, data: bytes) -> dict[str, str]:
    """Container, codec, channels and duration of audio bytes, as ffprobe reads them (from a
    file: through a pipe it cannot seek to an Ogg file's last page for the duration)."""
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(data)
        handle.flush()
        done = subprocess.run(
            [ffprobe, "-v", "error", "-show_entries",
             "format=format_name,duration:stream=codec_name,channels,sample_rate",
             "-of", "json", handle.name],
            capture_output=True, check=True,
        )  # fmt: skip
    info = json.loads(done.stdout)
    stream = info["streams"][0]
    return {
        "format": info["format"]["format_name"],
        "codec": stream["codec_name"],
        "channels": str(stream["channels"]),
        "rate": str(stream["sample_rate"]),
        "duration": info["format"].get("duration", "0"),
    }


def wav_seconds(data: bytes) -> float:
    """espeak-ng writes its WAV to a pipe, so the header's length is a placeholder: count the
    samples after the header instead."""
    with wave.open(io.BytesIO(data)) as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
    return float(len(data) - 44) / float(rate * width * channels)


class CountingEngine(EspeakEngine):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []
        self.seconds = 0.0

    def synthesize(self, text: str, voice: str) -> bytes:
        self.calls.append((text, voice))
        wav = super().synthesize(text, voice)
        self.seconds += wav_seconds(wav)
        return wav


def make_speech(tmp_path: Path, recordings: Recordings | None = None) -> Speech:
    return Speech(CountingEngine(), MediaCache(tmp_path / "media", "secret"), recordings)


EXPECTED = {
    AudioFormat.OGG: ("ogg", "opus", "48000"),
    AudioFormat.MP3: ("mp3", "mp3", "22050"),
    AudioFormat.WAV: ("wav", "pcm_s16le", "8000"),
}


@pytest.mark.parametrize("lang", ["es", "pt", "ht", "quc", "en"])
def test_every_voice_renders_a_voice_note_of_the_spoken_length(
    ffprobe: str, tmp_path: Path, lang: str
) -> None:
    speech = make_speech(tmp_path)
    spoken = speech.render(PROMPT[lang], lang, AudioFormat.OGG)
    data = speech.cache.get(spoken.filename)
    assert data is not None and spoken.filename.endswith(".ogg")
    info = probe(ffprobe, data)
    assert (info["format"], info["codec"], info["channels"]) == ("ogg", "opus", "1")
    engine = speech.engine
    assert isinstance(engine, CountingEngine)
    assert engine.calls == [(PROMPT[lang], ESPEAK_VOICES[lang])]
    # The voice note is as long as what espeak-ng said (Opus adds a few ms of padding).
    assert float(info["duration"]) == pytest.approx(engine.seconds, abs=0.1)
    assert engine.seconds > 2.0  # three lines of speech, not a click


@pytest.mark.parametrize("fmt", [AudioFormat.MP3, AudioFormat.WAV])
def test_phone_formats(ffprobe: str, tmp_path: Path, fmt: AudioFormat) -> None:
    speech = make_speech(tmp_path)
    spoken = speech.render(PROMPT["es"], "es", fmt)
    data = speech.cache.get(spoken.filename)
    assert data is not None
    info = probe(ffprobe, data)
    assert (info["format"], info["codec"], info["rate"]) == EXPECTED[fmt]
    engine = speech.engine
    assert isinstance(engine, CountingEngine)
    assert float(info["duration"]) == pytest.approx(engine.seconds, abs=0.15)


def test_second_render_is_a_cache_hit(tmp_path: Path, ffprobe: str) -> None:
    speech = make_speech(tmp_path)
    first = speech.render(PROMPT["ht"], "ht")
    again = speech.render(PROMPT["ht"], "ht")
    engine = speech.engine
    assert isinstance(engine, CountingEngine)
    assert (first.cached, again.cached) == (False, True)
    assert first.filename == again.filename and len(engine.calls) == 1
    # Another text, voice or format is another file.
    names = {
        first.filename,
        speech.render(PROMPT["ht"] + ".", "ht").filename,
        speech.render(PROMPT["ht"], "quc").filename,
        speech.render(PROMPT["ht"], "ht", AudioFormat.MP3).filename,
    }
    assert len(names) == 4


def test_names_are_keyed_and_files_sealed_and_short_lived(tmp_path: Path) -> None:
    now = [1_000_000.0]
    cache = MediaCache(tmp_path, "secret", ttl=60, clock=lambda: now[0])
    other = MediaCache(tmp_path, "another secret", ttl=60, clock=lambda: now[0])
    parts = ["espeak-ng/150", "es-419", "ogg", "say:Hola"]
    name = cache.name_for(parts) + ".ogg"
    assert len(name) == 36 and name != other.name_for(parts) + ".ogg"
    cache.put(name, b"OggS audio of Maria Lopez")
    assert b"Maria" not in (tmp_path / f"{name}.sealed").read_bytes()  # encrypted at rest
    assert cache.get(name) == b"OggS audio of Maria Lopez"
    assert other.get(name) is None  # another secret cannot read it
    now[0] += 59
    assert cache.touch(name)  # a hit renews the lifetime
    now[0] += 59
    assert cache.get(name) is not None
    now[0] += 61
    assert cache.get(name) is None and not cache.touch(name)
    assert cache.sweep(force=True) == 1 and not list(tmp_path.iterdir())


def test_unknown_voice_is_an_error_not_silence(tmp_path: Path, ffprobe: str) -> None:
    with pytest.raises(SpeechError, match="voice"):
        EspeakEngine().synthesize("Hola", "mam")


def test_numbers_are_spoken_in_words_of_the_language(ffprobe: str) -> None:
    engine = EspeakEngine()
    assert engine.phonemes("12", "es-419") == engine.phonemes("doce", "es-419")
    assert engine.phonemes("12", "pt-br") == engine.phonemes("doze", "pt-br")
    assert engine.phonemes("3 20", "ht") == engine.phonemes("twa ven", "ht")
    # K'iche' numbers by the quc voice's own rules, never English digits.
    quc = engine.phonemes("12", "quc")
    assert quc != engine.phonemes("12", "en-us") and "(en)" not in quc


def test_languages_without_a_voice_use_their_fallbacks(tmp_path: Path) -> None:
    speech = make_speech(tmp_path)
    assert speech.voice_for("mam") == speech.voice_for("kjb") == "es-419"
    assert speech.voice_for("quc") == "quc"


def tone(path: Path, seconds: float, ffprobe: str) -> None:
    ffmpeg = str(Path(ffprobe).with_name("ffmpeg"))
    subprocess.run(
        [ffmpeg, "-y", "-v", "error", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
         "-c:a", "libopus", str(path)],
        check=True,
    )  # fmt: skip


def test_a_recording_replaces_the_synthetic_voice_message_by_message(
    tmp_path: Path, ffprobe: str
) -> None:
    settings = Settings()
    catalogs = Catalogs.load(settings.translations_dir)
    audio = tmp_path / "translations" / "mam" / "audio"
    audio.mkdir(parents=True)
    tone(audio / "menu.ogg", 3.0, ffprobe)
    tone(audio / "register.ogg", 1.5, ffprobe)
    (audio / "recordings.yaml").write_text(
        '"What would you like to do?": menu.ogg\n"Register": register.ogg\n', encoding="utf-8"
    )
    recordings = Recordings.load(tmp_path / "translations", catalogs)
    speech = make_speech(tmp_path, recordings)
    question = catalogs.gettext("mam", "What would you like to do?")
    register = catalogs.gettext("mam", "Register")
    request = catalogs.gettext("mam", "Request today's appointment")
    spoken = speech.render(f"{question}\n1. {register}\n2. {request}", "mam")
    engine = speech.engine
    assert isinstance(engine, CountingEngine)
    # The question and the label come from the recordings; the number and the rest are said.
    assert engine.calls == [("1.", "es-419"), (f"2. {request}", "es-419")]
    data = speech.cache.get(spoken.filename)
    assert data is not None
    duration = float(probe(ffprobe, data)["duration"])
    assert duration == pytest.approx(3.0 + 1.5 + engine.seconds, abs=0.15)
    # A new take of the recording is a new file at once (its digest is in the key).
    tone(audio / "menu.ogg", 2.0, ffprobe)
    again = make_speech(tmp_path, Recordings.load(tmp_path / "translations", catalogs))
    assert again.render(f"{question}\n1. {register}\n2. {request}", "mam").cached is False


def test_recordings_of_unknown_messages_or_missing_files_stop_start_up(tmp_path: Path) -> None:
    catalogs = Catalogs.load(Settings().translations_dir)
    audio = tmp_path / "mam" / "audio"
    audio.mkdir(parents=True)
    (audio / "recordings.yaml").write_text('"Register": missing.ogg\n', encoding="utf-8")
    with pytest.raises(RecordingsError, match=r"missing\.ogg"):
        Recordings.load(tmp_path, catalogs)
    (audio / "x.ogg").write_bytes(b"x")
    (audio / "recordings.yaml").write_text('"No such message": x.ogg\n', encoding="utf-8")
    with pytest.raises(RecordingsError, match="No such message"):
        Recordings.load(tmp_path, catalogs)
