"""frontdoor: the multilingual WhatsApp/SMS front door to a border-appointment booking API."""
