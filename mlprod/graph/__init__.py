"""Meta's Graph API over HTTP: the one client the facebook and instagram packages share.

It sits below both (they never import each other): the HTTP client with Graph's errors and retries
(:mod:`~mlprod.graph.client`, :mod:`~mlprod.graph.errors`), the part-by-part upload at an offset
(:mod:`~mlprod.graph.upload`), and the saved sign-in (:mod:`~mlprod.graph.signin`).
"""
