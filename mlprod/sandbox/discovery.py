"""The API surface, read from the discovery documents bundled with google-api-python-client.

The sandbox serves those documents with its own root URL, finds which method a request calls, and
rejects what Google would: unknown paths (404), unknown or repeated query parameters, missing
required ones, bad values and unknown ``part`` names (400).

It reads the documents itself (Google's own description of the API, shipped in the library's
``discovery_cache``), not through ``mlprod.youtube``: the sandbox never borrows the client's code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from googleapiclient import discovery_cache

from mlprod.sandbox.errors import ApiError, SandboxError, bad_request

APIS = (("youtube", "v3"), ("youtubeAnalytics", "v2"))
STACK_QUERY_PARAMETERS = ("trace", "pp", "userip", "strict")
_NOT_PARTS = {"kind", "etag"}


@dataclass(frozen=True)
class ApiMethod:
    id: str
    http_method: str
    path: str
    parameters: dict[str, dict[str, Any]]
    required: frozenset[str]
    scopes: frozenset[str]
    parts: frozenset[str] | None
    """Valid ``part`` names, for methods that take a ``part``."""
    media_path: str | None
    media_accept: tuple[str, ...] = ()
    media_max_size: int = 0

    @property
    def name(self) -> str:
        """``videos.insert`` for ``youtube.videos.insert``."""
        return self.id.split(".", 1)[1]


@dataclass(frozen=True)
class ApiCall:
    """A request resolved to a method, with validated query parameters."""

    method: ApiMethod
    params: dict[str, list[str]]
    on_upload_path: bool

    def one(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else None

    def many(self, name: str) -> list[str]:
        """Values of a repeated, comma-separated parameter (``id=a,b&id=c``)."""
        return [v.strip() for value in self.params.get(name, []) for v in value.split(",") if v.strip()]

    @property
    def parts(self) -> list[str]:
        return self.many("part")

    def flag(self, name: str) -> bool:
        return self.one(name) == "true"

    def integer(self, name: str, default: int) -> int:
        value = self.one(name)
        return default if value is None else int(value)


@lru_cache(maxsize=8)
def _bundled_text(api: str, version: str) -> str:
    text = discovery_cache.get_static_doc(api, version)
    if text is None:
        raise SandboxError(
            f"google-api-python-client ships no discovery document for {api} {version} — "
            "reinstall google-api-python-client"
        )
    return str(text)


def load_discovery_document(api: str, version: str, root_url: str | None = None) -> dict[str, Any]:
    """The bundled document of ``api`` ``version``, its root moved to ``root_url`` when given."""
    doc: dict[str, Any] = json.loads(_bundled_text(api, version))
    if root_url:
        root = root_url.rstrip("/") + "/"
        doc["rootUrl"] = root
        doc["mtlsRootUrl"] = root
        doc["baseUrl"] = root + doc.get("servicePath", "")
    return doc


def _schema_parts(doc: dict[str, Any], desc: dict[str, Any]) -> frozenset[str] | None:
    if "part" not in desc.get("parameters", {}):
        return None
    schemas = doc["schemas"]
    ref = (desc.get("request") or desc.get("response") or {}).get("$ref")
    if ref is None:
        return None
    schema = schemas[ref]
    items = schema.get("properties", {}).get("items", {})
    if items.get("type") == "array" and "$ref" in items.get("items", {}):
        schema = schemas[items["items"]["$ref"]]
    return frozenset(schema.get("properties", {})) - _NOT_PARTS


def _is_required(spec: dict[str, Any]) -> bool:
    # Analytics v2 says "required: true" only in the description text.
    return bool(spec.get("required")) or "required: true" in spec.get("description", "")


def _methods(doc: dict[str, Any], resources: dict[str, Any]) -> list[ApiMethod]:
    found: list[ApiMethod] = []
    globals_ = dict(doc.get("parameters", {}))
    globals_.update({name: {"type": "string", "location": "query"} for name in STACK_QUERY_PARAMETERS})
    for resource in resources.values():
        found.extend(_methods(doc, resource.get("resources", {})))
        for desc in resource.get("methods", {}).values():
            params = {**globals_, **desc.get("parameters", {})}
            media = desc.get("mediaUpload", {})
            media_path = media.get("protocols", {}).get("simple", {}).get("path")
            found.append(
                ApiMethod(
                    id=desc["id"],
                    http_method=desc["httpMethod"],
                    path=desc["path"],
                    parameters=params,
                    required=frozenset(n for n, s in params.items() if _is_required(s)),
                    scopes=frozenset(desc.get("scopes", [])),
                    parts=_schema_parts(doc, desc),
                    media_path=media_path.lstrip("/") if media_path else None,
                    media_accept=tuple(media.get("accept", [])),
                    media_max_size=int(media.get("maxSize", 0) or 0),
                )
            )
    return found


def _path_pattern(path: str) -> re.Pattern[str]:
    pieces = re.split(r"(\{[^}]+\})", path)
    regex = "".join(
        f"(?P<{p[1:-1].strip('+')}>[^/]+)" if p.startswith("{") else re.escape(p) for p in pieces
    )
    return re.compile(regex + "$")


class ApiCatalog:
    """Every method of the bundled YouTube Data v3 and Analytics v2 documents."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], ApiMethod, bool]] = []
        self.methods: dict[str, ApiMethod] = {}
        for api, version in APIS:
            doc = load_discovery_document(api, version)
            for method in _methods(doc, doc["resources"]):
                self.methods[method.id] = method
                self._routes.append((method.http_method, _path_pattern(method.path), method, False))
                if method.media_path:
                    pattern = _path_pattern(method.media_path)
                    self._routes.append((method.http_method, pattern, method, True))

    def resolve(self, http_method: str, path: str) -> tuple[ApiMethod, bool]:
        """The method at ``path`` (and whether it came on the upload path), or 404."""
        relative = path.lstrip("/")
        for verb, pattern, method, on_upload in self._routes:
            if verb == http_method and pattern.match(relative):
                return method, on_upload
        raise ApiError(
            404, "notFound", f"Method not found: {http_method} {path}"
        )

    def validate(
        self, method: ApiMethod, query: dict[str, list[str]], on_upload_path: bool
    ) -> ApiCall:
        """Check the query against the method's parameters; 400 in Google's shape when wrong."""
        for name, values in query.items():
            spec = method.parameters.get(name)
            if spec is None or spec.get("location", "query") != "query":
                raise bad_request(
                    "invalid",
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                    f"parameter. Field '{name}' could not be found in request message.",
                    location=name,
                )
            if len(values) > 1 and not spec.get("repeated"):
                raise bad_request(
                    "invalid", f"Parameter '{name}' may be given only once.", location=name
                )
            for value in values:
                _check_value(name, spec, value)
        for name in sorted(method.required):
            if not any(v.strip() for v in query.get(name, [])):
                raise bad_request("required", f"Required parameter: {name}", location=name)
        call = ApiCall(method, query, on_upload_path)
        if method.parts is not None:
            for part in call.parts:
                if part not in method.parts:
                    raise bad_request("unknownPart", f"'{part}'", location="part")
        return call


def _check_value(name: str, spec: dict[str, Any], value: str) -> None:
    kind = spec.get("type", "string")
    if kind == "boolean" and value not in ("true", "false"):
        raise bad_request("invalid", f"Invalid value at '{name}' (TYPE_BOOL), \"{value}\"", name)
    if kind == "integer":
        try:
            number = int(value)
        except ValueError:
            raise bad_request(
                "invalid", f"Invalid value at '{name}' (TYPE_INT32), \"{value}\"", name
            ) from None
        low, high = spec.get("minimum"), spec.get("maximum")
        if (low is not None and number < int(low)) or (high is not None and number > int(high)):
            raise bad_request(
                "invalidParameter",
                f"Invalid value '{value}'. Values must be within the range: [{low}, {high}]",
                name,
            )
    if "enum" in spec and value not in spec["enum"]:
        raise bad_request("invalid", f"Invalid value at '{name}', \"{value}\"", name)


@lru_cache(maxsize=16)
def discovery_document(api: str, version: str, root_url: str) -> bytes:
    """The bundled document of ``api`` ``version`` as served by a sandbox at ``root_url``."""
    doc = load_discovery_document(api, version, root_url)
    return json.dumps(doc).encode("utf-8")
