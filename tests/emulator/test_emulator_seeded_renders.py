"""A new user's first wait: a render the emulator seeded running ends like a started one."""

from __future__ import annotations

import pytest

from pictory_async import AsyncPictory
from pictory_async.emulator import Emulator, FakeClock


@pytest.mark.pictory_emulator(projects=60, in_progress_share=0.2, render_duration=90)
async def test_wait_for_render_on_a_seeded_render_ends_after_the_render_duration(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, pictory_clock: FakeClock
) -> None:
    """``wait_for_render`` on a project seeded rendering returns it rendered within 90 s.

    Seeded renders used to take up to 600 s whatever the render duration, so a wait of
    300 s (or a CLI ``projects wait`` with its defaults) timed out against a fresh server.
    """
    start = pictory_clock.time()
    running = [record.id for record in pictory_emulator.projects() if record.in_progress]

    projects = [
        await pictory_client.projects.wait_for_render(project_id, timeout=100, poll_interval=10)
        for project_id in running
    ]

    assert len(running) >= 5
    assert all(project.is_rendered for project in projects)
    assert pictory_clock.time() - start <= 100
