"""The ``pictory_async`` logger: silent unless the application or ``PICTORY_LOG`` asks.

The library only ever logs to ``logging.getLogger("pictory_async")``, which has a
``NullHandler`` so that an application without logging configured sees no stray output.
``PICTORY_LOG=debug`` (or ``info``) attaches a readable handler on stderr, as
``OPENAI_LOG`` does for the OpenAI SDK: ``debug`` shows each request (method, path,
status, attempt, duration, request id), ``info`` retries and rate limiting. No line
ever carries the API key.
"""

from __future__ import annotations

import logging
import os

__all__ = ["logger", "setup_from_env"]

logger = logging.getLogger("pictory_async")
logger.addHandler(logging.NullHandler())

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_from_env(environ: os._Environ[str] | dict[str, str] = os.environ) -> None:
    """Honour ``PICTORY_LOG``: attach a stderr handler at that level (once)."""
    level = _LEVELS.get(environ.get("PICTORY_LOG", "").strip().lower())
    if level is None:
        return
    if not any(getattr(h, "_pictory_env", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._pictory_env = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
