"""Audio files with ffmpeg: join the pieces of one prompt and encode it for its channel.

Ogg/Opus is what WhatsApp plays as a voice note; Twilio's <Play> takes MP3 or WAV. Every
piece (espeak-ng's WAV, a recorded file in any format ffmpeg reads) is resampled to mono
first, so recordings made on any phone join cleanly with the synthetic voice.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from bot.speech.engines import SpeechError


class AudioFormat(StrEnum):
    OGG = "ogg"
    MP3 = "mp3"
    WAV = "wav"

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self]


_CONTENT_TYPES = {
    AudioFormat.OGG: "audio/ogg",
    AudioFormat.MP3: "audio/mpeg",
    AudioFormat.WAV: "audio/wav",
}

#: Encoder settings per format: (sample rate, ffmpeg codec arguments).
_ENCODERS: dict[AudioFormat, tuple[int, list[str]]] = {
    # Opus at 48 kHz mono, speech-tuned: what WhatsApp records its own voice notes as.
    AudioFormat.OGG: (48000, ["-c:a", "libopus", "-b:a", "24k", "-application", "voip"]),
    AudioFormat.MP3: (22050, ["-c:a", "libmp3lame", "-b:a", "48k"]),
    # Phone-line quality: Twilio plays 8 kHz 16-bit WAV without resampling.
    AudioFormat.WAV: (8000, ["-c:a", "pcm_s16le"]),
}


def ffmpeg_available(binary: str = "ffmpeg") -> bool:
    return shutil.which(binary) is not None


def encode(
    pieces: Sequence[Path], fmt: AudioFormat, *, binary: str = "ffmpeg", timeout: float = 60.0
) -> bytes:
    """Join the audio files in order into one file of `fmt` (bytes)."""
    if not pieces:
        raise SpeechError("nothing to encode")
    rate, codec = _ENCODERS[fmt]
    inputs: list[str] = []
    chains: list[str] = []
    for index, piece in enumerate(pieces):
        inputs += ["-i", str(piece)]
        chains.append(
            f"[{index}:a]aresample={rate},aformat=sample_fmts=s16:channel_layouts=mono[a{index}]"
        )
    joined = "".join(f"[a{i}]" for i in range(len(pieces)))
    graph = ";".join(chains) + f";{joined}concat=n={len(pieces)}:v=0:a=1[out]"
    args = [
        binary, "-hide_banner", "-loglevel", "error", "-nostdin", *inputs,
        "-filter_complex", graph, "-map", "[out]", "-ar", str(rate), "-ac", "1", *codec,
        "-map_metadata", "-1", "-f", fmt.value,
    ]  # fmt: skip
    # A file, not a pipe: a WAV header written to a pipe has no length.
    with tempfile.TemporaryDirectory(prefix="frontdoor-audio-") as tmp:
        target = Path(tmp) / f"out.{fmt.value}"
        try:
            # A fixed program with a list of arguments (no shell): S603 does not apply.
            done = subprocess.run(  # noqa: S603
                [*args, str(target)], capture_output=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"{binary} did not run: {exc}") from exc
        if done.returncode != 0 or not target.exists():
            raise SpeechError(f"{binary}: {done.stderr.decode(errors='replace').strip()[-300:]}")
        return target.read_bytes()
