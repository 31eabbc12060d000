"""Twilio (SMS and WhatsApp): all of the bot's Twilio code, and the only package that imports
the twilio library (tests/channels/test_twilio_boundary.py checks).

* channel.py   `TwilioChannel`, the `Channel` protocol (bot/channels/base.py)
* webhook.py   POST /twilio/messages and /twilio/status; `verified_form` (also /twilio/voice)
* inbound.py   the webhook forms: messages (ButtonPayload for taps) and status callbacks
* signature.py X-Twilio-Signature, a direct HMAC-SHA1 (twilio's RequestValidator: test oracle)
* twiml.py     Messaging TwiML from a template (MessagingResponse: test oracle)
* sender.py    the Messages API (REST): free text, or ContentSid + ContentVariables
* errors.py    Twilio's error codes -> what they mean (`Problem`) and the `SendError` raised
* window.py    WhatsApp's 24-hour window
"""

from __future__ import annotations

from bot.channels.twilio.channel import TwilioChannel
from bot.channels.twilio.twiml import MEDIA_TYPE as TWIML
from bot.channels.twilio.webhook import make_router, verified_form

__all__ = ["TWIML", "TwilioChannel", "make_router", "verified_form"]
