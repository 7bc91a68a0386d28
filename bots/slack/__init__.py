"""The Slack front door (slack-bolt): one ``App`` whose features register themselves
(``register(app)``, one module each), run in Socket Mode or behind one HTTP endpoint."""
