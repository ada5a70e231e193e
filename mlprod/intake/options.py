"""The intake page's settings: where it listens, the link it prints, the upload limit.

Read once from the ``[intake]`` table of mlprod.toml, then environment overrides
(``MLPROD_INTAKE_URL``, ``MLPROD_INTAKE_MAX_UPLOAD``); command-line options override both.

```toml
[intake]
base_url = "https://offres.example.org"   # what invitation links start with
host = "127.0.0.1"
port = 8765
max_upload = "2G"                          # per form sent: bytes, or with K/M/G
client_timeout = 30                        # seconds a browser may stay silent while sending a form
organisation = "Mission Locale du Pays Salonais"
contact = "Mission Locale du Pays Salonais — 04 90 00 00 00"   # offer.contact in recipes
```
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from mlprod.config import CONFIG_NAME, Settings
from mlprod.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_UPLOAD = 2 * 1024**3
DEFAULT_ORGANISATION = "Mission Locale du Pays Salonais"
DEFAULT_CLIENT_TIMEOUT = 30.0  # seconds; a minute of silence held sockets open for nothing
_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


@dataclass(frozen=True)
class IntakeOptions:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    base_url: str = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    organisation: str = DEFAULT_ORGANISATION
    contact: str = DEFAULT_ORGANISATION
    client_timeout: float = DEFAULT_CLIENT_TIMEOUT

    def with_overrides(self, **changes: Any) -> IntakeOptions:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def parse_size(value: object, source: str) -> int:
    """"2G", "500M", "1048576" → bytes."""
    match = _SIZE.match(str(value))
    if not match or int(match.group(1)) <= 0:
        raise ConfigError(f"{source}: {value!r} is not a size — write bytes or e.g. 500M, 2G")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def _table(settings: Settings) -> Mapping[str, object]:
    path = settings.root / CONFIG_NAME
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML ({err}) — fix the file") from err
    table = data.get("intake", {})
    return table if isinstance(table, dict) else {}


def load_intake_options(settings: Settings, env: Mapping[str, str] | None = None) -> IntakeOptions:
    env = os.environ if env is None else env
    table = _table(settings)
    source = f"{settings.root / CONFIG_NAME}: intake"
    host = str(table.get("host") or DEFAULT_HOST)
    try:
        port = int(str(table.get("port") or DEFAULT_PORT))
    except ValueError:
        raise ConfigError(f"{source}.port: {table.get('port')!r} is not a port number — use e.g. 8765"
                          ) from None
    base_url = env.get("MLPROD_INTAKE_URL") or str(table.get("base_url") or "") or f"http://{host}:{port}"
    if "MLPROD_INTAKE_MAX_UPLOAD" in env:
        max_upload = parse_size(env["MLPROD_INTAKE_MAX_UPLOAD"], "MLPROD_INTAKE_MAX_UPLOAD")
    else:
        max_upload = parse_size(table.get("max_upload", DEFAULT_MAX_UPLOAD), f"{source}.max_upload")
    organisation = str(table.get("organisation") or DEFAULT_ORGANISATION)
    timeout = table.get("client_timeout", DEFAULT_CLIENT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 1 <= timeout <= 3600:
        raise ConfigError(f"{source}.client_timeout: {timeout!r} is not a number of seconds from 1 to 3600"
                          " — use e.g. 30")
    return IntakeOptions(
        host=host, port=port, base_url=base_url.rstrip("/"), max_upload_bytes=max_upload,
        organisation=organisation, contact=str(table.get("contact") or organisation),
        client_timeout=float(timeout),
    )
