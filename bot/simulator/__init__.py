"""The web simulator at /simulator: type as an applicant in a browser, through the webhook's
own path (`Intake.receive`, `render_bodies`), with the flow step and message ids beside the
chat. On by default only on embedded defaults (`Settings.simulator_enabled`)."""
