"""API resources: each knows its endpoints, builds requests and parses replies."""

from __future__ import annotations

from .projects import Projects

__all__ = ["Projects"]
