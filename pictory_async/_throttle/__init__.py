"""Client-side rate control: the ``Throttle`` every attempt of one client goes through."""

from ._control import (
    BETA,
    INITIAL_WINDOW,
    NO_HINT_MAX,
    NO_HINT_MIN,
    RECENT,
    SLOT,
    RateControl,
    Throttle,
)

__all__ = [
    "BETA",
    "INITIAL_WINDOW",
    "NO_HINT_MAX",
    "NO_HINT_MIN",
    "RECENT",
    "SLOT",
    "RateControl",
    "Throttle",
]
