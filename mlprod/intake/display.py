"""Submissions as text for the terminal. What employers typed is shown, never obeyed: control
characters (terminal escape sequences) are printed as visible escapes."""

from __future__ import annotations

import re

from mlprod.intake.offer_form import FIELDS
from mlprod.intake.views import SubmissionView

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: object) -> str:
    """``text`` with control and bidi-override characters replaced by ``\\xNN`` / ``\\uNNNN``."""
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(escape, str(text))


def _indent(text: str) -> str:
    return terminal_safe(text).replace("\n", "\n" + " " * 17)


def summary_line(view: SubmissionView) -> str:
    position = view.offer.get("position", "")
    return terminal_safe(f"{view.public_id}  {view.status:<9} {view.created_at:%Y-%m-%d}  {view.employer}"
                         f" — {position} ({len(view.clips)} clip(s))")


def describe(view: SubmissionView) -> str:
    lines = [f"{'submission':<16} {view.public_id}", f"{'employer':<16} {_indent(view.employer)}",
             f"{'status':<16} {view.status}"]
    if view.reject_reason:
        lines.append(f"{'reason':<16} {_indent(view.reject_reason)}")
    if view.recipe:
        lines.append(f"{'recipe':<16} {view.recipe}")
    lines.append(f"{'sent':<16} {view.created_at:%Y-%m-%d %H:%M} UTC")
    for spec in FIELDS:
        value = view.contact_person if spec.name == "contact_person" else view.offer.get(spec.name)
        if value:
            lines.append(f"{spec.name:<16} {_indent(str(value))}")
    lines.append(f"{'consent':<16} given {view.consent_at:%Y-%m-%d %H:%M} UTC to:")
    lines.append(" " * 17 + _indent(view.consent_text))
    for f in view.files:
        extra = f", {f.duration:.1f} s" if f.duration else ""
        lines.append(f"{f.role:<16} {f.stored_path}  ({f.size_bytes} bytes, {f.media_format}{extra};"
                     f" sent as {terminal_safe(repr(f.original_name))})")
    return "\n".join(lines)
