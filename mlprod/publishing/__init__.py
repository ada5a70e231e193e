"""What every platform package shares: the interface the publish workflow drives (platform.py),
the marker written on every publication (markers.py), resumable upload sessions (sessions.py).

See :mod:`mlprod.publishing.platform` for what a platform package must provide and how to
register it. This package sits above ``recipe`` and below the platform packages (``youtube/``…),
which implement it, and ``jobs/``, which drives it.
"""

from mlprod.publishing.markers import marker_for
from mlprod.publishing.platform import (
    AudienceFigures,
    Budget,
    BuiltFiles,
    Platform,
    PlatformOptions,
    Post,
    Progress,
    PublicationView,
    Remote,
    StepOutcome,
    TakeDown,
    Uploaded,
)

__all__ = ["AudienceFigures", "Budget", "BuiltFiles", "Platform", "PlatformOptions", "Post", "Progress",
           "PublicationView", "Remote", "StepOutcome", "TakeDown", "Uploaded", "marker_for"]
