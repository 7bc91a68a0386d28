"""The ``personae`` command line."""
