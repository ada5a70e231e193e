"""Request bodies that carry fields: JSON objects, URL-encoded forms and ``multipart/form-data``
(whose file parts come back with their bytes). Small bodies only: they are read whole.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from mlprod.sandbox.errors import bad_request
from mlprod.sandbox.media import BodyReader

MAX_JSON_BODY = 1024 * 1024
MAX_FORM_BODY = 1024 * 1024


def read_json(reader: BodyReader, limit: int = MAX_JSON_BODY) -> dict[str, Any] | None:
    """The JSON object in a request body (None when there is none); 400 parseError (Google's shape)."""
    if reader.length == 0:
        return None
    data = reader.read_all(limit)
    if not data.strip():
        return None
    try:
        body = json.loads(data)
    except ValueError:
        raise bad_request("parseError", "Parse Error: the request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise bad_request("parseError", "Parse Error: the request body must be a JSON object.")
    return body


def form_fields(data: bytes) -> dict[str, str]:
    """A URL-encoded form's fields (the last value of each)."""
    text = data.decode("utf-8", errors="replace")
    return {k: v[-1] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}


@dataclass(frozen=True)
class FilePart:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class FormData:
    fields: dict[str, str]
    files: list[FilePart]


def parse_form_data(body: bytes, content_type: str) -> FormData | None:
    """The fields and files of a ``multipart/form-data`` body; None if it is not one."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", errors="replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or message.get_content_type() != "multipart/form-data":
        return None
    fields: dict[str, str] = {}
    files: list[FilePart] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = data.decode(part.get_content_charset() or "utf-8", errors="replace")
        else:
            files.append(FilePart(name, filename, part.get_content_type(), data))
    return FormData(fields, files)


def body_fields(reader: BodyReader, content_type: str, limit: int = MAX_FORM_BODY) -> FormData:
    """Fields of a JSON, URL-encoded or multipart body (values of JSON made strings as a form's)."""
    if reader.length == 0:
        return FormData({}, [])
    data = reader.read_all(limit)
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            parsed = json.loads(data or b"{}")
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return FormData({}, [])
        return FormData({k: _form_value(v) for k, v in parsed.items()}, [])
    if kind == "multipart/form-data":
        form = parse_form_data(data, content_type)
        return form if form is not None else FormData({}, [])
    return FormData(form_fields(data), [])


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)
