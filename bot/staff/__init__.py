"""Shelter staff: their data (SQL), staff mode over WhatsApp/SMS, handoffs to a person, and the
staff web portal. See docs/architecture.md, section "Staff, handoffs and the portal"."""
