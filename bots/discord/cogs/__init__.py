"""Slash-command Cogs: one feature each, loaded by ``PersonaeBot.setup_hook`` (``setup(bot)``)."""
