"""The translator's tooling (`frontdoor i18n ...`): extraction, catalog updates, the report,
new packs. Never imported by the running bot."""
