"""API resources: each knows its endpoints, builds requests and parses replies."""

from __future__ import annotations

from .account import Account
from .jobs import Jobs
from .projects import Projects

__all__ = ["Account", "Jobs", "Projects"]
