"""Client-side rate control: the ``Throttle`` every attempt of one client goes through.

The parts, each in its own module: ``_gate`` (attempts in flight and the line for a
slot), ``_cooldown`` (the shared pause after a 429), ``_holds`` (a refused call's own
``Retry-After``), ``_estimator`` (the rate learned from the answers, pure and
synchronous), ``_schedule`` (the protocol for when the next request may go) with
``_pacer`` and ``_batches``, ``_learned`` (what was learned, as a value that ages
while idle), and ``_control`` (the ``Throttle`` that wires them).
"""

from ._control import RateControl, Throttle
from ._cooldown import NO_HINT_MAX, NO_HINT_MIN
from ._estimator import BETA, RECENT, SLOT
from ._gate import INITIAL_WINDOW
from ._learned import Learned

__all__ = [
    "BETA",
    "INITIAL_WINDOW",
    "NO_HINT_MAX",
    "NO_HINT_MIN",
    "RECENT",
    "SLOT",
    "Learned",
    "RateControl",
    "Throttle",
]
