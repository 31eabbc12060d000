"""Spoken prompts (issue 20): any message, in any language that has a voice, as audio.

- `engines.py`: the pluggable text-to-speech engine (`SpeechEngine`), espeak-ng by default.
- `recordings.py`: recorded human audio in a language's folder, which replaces the synthetic
  voice message by message (how Mam or Q'anjob'al recordings get in).
- `audio.py`: ffmpeg joins the pieces and encodes Ogg/Opus (WhatsApp voice notes), MP3 or WAV
  (phone calls).
- `cache.py`: rendered audio on disk, named by a keyed hash of (text, voice, engine), encrypted,
  short-lived; `routes.py` serves it at `/media/<name>.<ext>`.
- `service.py`: `Speech.render(text, lang, format)` ties them together.
"""
