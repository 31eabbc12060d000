# One image for the bot, the worker and the booking sandbox (they differ only by command).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# espeak-ng and ffmpeg: spoken prompts (bot/speech/: voice notes and the phone line's <Play>);
# without them FRONTDOOR_SPEECH_ENGINE=auto turns speech off and calls fall back to <Say>.
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng ffmpeg \
    && rm -rf /var/lib/apt/lists/*
COPY . /app
# Editable install keeps flows/ and translations/ next to the code, where the bot reads them.
RUN pip install --no-cache-dir -e . \
    && useradd --create-home --uid 10001 frontdoor \
    && mkdir -p /data && chown frontdoor:frontdoor /data
USER frontdoor
# The processes keep their files (.frontdoor/: SQLite, spool, audio cache) under the working
# directory: /data, the one directory the user owns (mount a volume there).
WORKDIR /data
EXPOSE 8000 8100
CMD ["frontdoor", "serve", "--host", "0.0.0.0", "--port", "8000"]
