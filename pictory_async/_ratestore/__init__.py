"""Rate stores: where a client keeps what its throttle learned, and shares it with others.

The parts, each in its own module: ``_base`` (the ``RateStore`` interface, the key's
hashed scope, the memory store), ``_file`` (remembered across runs in the user's cache
directory), ``_scripts`` (the Redis store's Lua scripts), ``_redis`` (shared live by
every process on a key) and ``_resolve`` (``rate_store=`` and ``PICTORY_RATE_STORE``).
The throttle's side of a shared rate is ``_throttle/_shared``.
"""

from ._base import MemoryRateStore, RateStore, scope_of
from ._file import FileRateStore, default_directory
from ._redis import RedisRateStore
from ._resolve import ENV, RateBinding, resolve_rate_store

__all__ = [
    "ENV",
    "FileRateStore",
    "MemoryRateStore",
    "RateBinding",
    "RateStore",
    "RedisRateStore",
    "default_directory",
    "resolve_rate_store",
    "scope_of",
]
