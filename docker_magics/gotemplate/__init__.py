"""Go text/template for docker_magics (work in progress: engine only)."""

from __future__ import annotations

from .failure import GoTemplateError
from .template import Template, parse, render_engine

__all__ = ["GoTemplateError", "Template", "parse", "render_engine"]
