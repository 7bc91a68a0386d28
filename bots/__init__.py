"""Front doors: the console community, the ``personae`` command, and (later) Discord and Slack."""
