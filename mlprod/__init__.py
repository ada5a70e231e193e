"""mlprod: from recipes to the ML Prod YouTube channel."""

from __future__ import annotations

__version__ = "0.1.0"
