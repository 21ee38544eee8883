"""Mask a secret in text we show: as typed, JSON-escaped, re-spaced, or base64-encoded inside something longer.

A credential helper that fails may echo the JSON it was given; a registry may echo the request it got. The
text reaches the user only through one-line errors, so every form the secret can take there is masked:

* the secret itself, and JSON's escaping of it (``\\"``, ``\\\\``, ``\\n``, ``\\uXXXX``);
* any of those with its whitespace changed, added or removed (our lines collapse runs of spaces and line
  breaks; a helper may wrap its base64 output);
* base64 (standard and URL-safe, any padding) of any of those, alone or as part of a longer encoded text:
  the characters that encode only the secret's bytes are the same at each of the three byte alignments.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable

MASK = "***"
_MIN_ENCODED = 8  # a shorter run is masked only when it is all of a short secret's encoding


def _encoded_cores(raw: bytes) -> set[str]:
    """The base64 characters that depend only on ``raw``, at each alignment, standard and URL-safe."""
    cores: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw).decode("ascii")
        start = -(-8 * offset // 6)  # the first character whose six bits all come from raw
        stop = 8 * (offset + len(raw)) // 6  # past the last such character
        core = encoded[start:stop]
        if len(core) >= _MIN_ENCODED or (len(core) >= 4 and len(core) >= 4 * len(raw) // 3 - 1):
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


def _forms(secret: str) -> set[str]:
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    for form in list(forms):
        forms |= _encoded_cores(form.encode("utf-8"))
    return {f for f in forms if f.strip()}


def _pattern(form: str) -> str:
    # Whitespace may have been changed anywhere: collapsed by our lines, wrapped by a helper's base64 output.
    return r"\s*".join(re.escape(ch) for ch in form if not ch.isspace())


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every form of every secret replaced by ``***``.

    Args:
        text: what is about to be shown (an error line, a registry's message).
        secrets: the passwords and tokens that must not be shown; empty ones are ignored.

    Returns:
        The text, masked.
    """
    forms = {form for secret in secrets if secret for form in _forms(secret)}
    if not forms or not text:
        return text
    # Longest first, so a longer form is masked whole before a shorter one inside it.
    alternation = "|".join(_pattern(f) for f in sorted(forms, key=len, reverse=True))
    return re.sub(alternation, MASK, text)
