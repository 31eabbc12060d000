"""Natural-language understanding for frontdoor: language id, intents and entities.

The flow engine calls :mod:`nlu.entities` directly for typed answers; everything else
goes through :func:`parse`, whose answer has the shape of Rasa's ``/model/parse``.
"""
