"""Discord announcements through a channel webhook (see :mod:`mlprod.discord.platform`)."""
