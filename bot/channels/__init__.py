"""Channels: one module per way people reach the bot (Twilio SMS/WhatsApp, the terminal)."""
