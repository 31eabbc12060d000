"""The bot's side of the booking API: typed models and an async client."""
