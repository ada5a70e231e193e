"""The Discord sandbox (channel webhooks) behind ``mlprod sandbox serve``.

Start with :mod:`mlprod.sandbox.discord.app` (the URLs and test set-up), then
:mod:`mlprod.sandbox.discord.webhooks` (what a client sends and gets back).
"""
