"""A pretend user's suite configuration: defaults for the emulator of every test."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def pictory_emulator_options() -> dict[str, Any]:
    """Every test gets 30 projects from seed 42, unless its marker says otherwise."""
    return {"projects": 30, "seed": 42}
