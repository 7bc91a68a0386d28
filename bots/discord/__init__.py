"""The Discord front door (discord.py): the bot process, its intake and its slash commands."""
