"""Slash-command Cogs: one feature each, loaded by ``PersonaeBot.setup_hook`` (``setup(bot)``).

``base`` holds what they share (acknowledge, call the engine off the loop, show, errors,
autocompletion); ``bots.discord.checks`` who may direct; ``bots.discord.embeds`` and
``bots.discord.views`` the answers. A later capability is one more module here and one more
line in ``bots.discord.app.EXTENSIONS`` (see ``base``'s docstring for a template).
"""
