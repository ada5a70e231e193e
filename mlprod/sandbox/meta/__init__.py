"""The Meta sandbox (Facebook Page and Instagram account) behind ``mlprod sandbox serve``.

Start with :mod:`mlprod.sandbox.meta.app` (the URLs), then the module of what you need:
``tokens`` (sign-in), ``pages`` (Reels, Page videos), ``videos`` (status, deletion, Resumable Upload
API), ``instagram`` (containers, publishing), ``uploads`` (resuming bytes), ``admin`` (test set-up).
"""
