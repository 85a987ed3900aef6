"""Benchmarks of pictory-async against the emulator over loopback (``nox -s bench``)."""
