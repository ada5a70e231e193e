"""Renders on a Celery cluster: pieces sent to `mlprod worker` processes through Redis.

``app`` builds the Celery application from the settings, ``tasks`` is what a worker runs,
``storage`` is where workers read inputs and put pieces (a shared folder or an S3 bucket),
``specs`` moves a piece's file paths onto that storage, ``dispatch`` sends a build's pieces and
waits for them, ``build`` is the build workflow's one entry point. Nothing here is imported unless
``render.queue`` is set: a build on one machine never loads Celery.
"""
