"""frontdoor booking sandbox: the reference booking API the bot is developed and tested against.

It is a service of its own (own FastAPI app, own storage) and imports nothing from ``bot/``, so
operators can point the bot at their real booking API with the same contract.
"""
