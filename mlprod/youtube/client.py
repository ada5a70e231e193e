"""The one place that builds Google API service objects, for Google or for a sandbox root URL.

Always built from the discovery documents bundled with google-api-python-client: pointing
``rootUrl`` at a local server moves JSON *and* media paths (``client_options`` keeps ``https`` for
uploads), and ``build_http()`` drops 308 from httplib2's redirect codes, which resumable uploads need.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import google_auth_httplib2
from googleapiclient import discovery_cache
from googleapiclient.discovery import build_from_document
from googleapiclient.http import build_http

from mlprod.errors import ConfigError


@lru_cache(maxsize=8)
def _bundled_document_text(api: str, version: str) -> str:
    text = discovery_cache.get_static_doc(api, version)
    if text is None:
        raise ConfigError(
            f"google-api-python-client ships no discovery document for {api} {version} — "
            "reinstall google-api-python-client"
        )
    return str(text)


def load_discovery_document(api: str, version: str, root_url: str | None = None) -> dict[str, Any]:
    """The bundled discovery document of ``api`` ``version``, with its root moved to ``root_url``."""
    doc: dict[str, Any] = json.loads(_bundled_document_text(api, version))
    if root_url:
        root = root_url.rstrip("/") + "/"
        doc["rootUrl"] = root
        doc["mtlsRootUrl"] = root
        doc["baseUrl"] = root + doc.get("servicePath", "")
    return doc


def _build(api: str, version: str, credentials: Any, root_url: str | None) -> Any:
    doc = load_discovery_document(api, version, root_url)
    http = google_auth_httplib2.AuthorizedHttp(credentials, http=build_http())
    return build_from_document(doc, http=http)


def build_youtube(credentials: Any, root_url: str | None = None) -> Any:
    """A YouTube Data API v3 service; ``root_url`` None means Google, else e.g. a sandbox URL."""
    return _build("youtube", "v3", credentials, root_url)


def build_analytics(credentials: Any, root_url: str | None = None) -> Any:
    """A YouTube Analytics API v2 service; ``root_url`` as for :func:`build_youtube`."""
    return _build("youtubeAnalytics", "v2", credentials, root_url)
