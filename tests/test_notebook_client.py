"""The notebook client of the course's tools (tools/notebook_client.py): every wait for a
kernel's message is split into short waits up to the same deadline, so a reply that has
arrived is read at once even when one long wait would not wake (jupyter/nbclient#312)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from queue import Empty

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import notebook_client  # noqa: E402


class MissedWakeup:
    """A channel's get_msg that never wakes early: each wait lasts its whole timeout, then
    looks once, as nbclient#312's stalled wait does. The message is there from the start."""

    def __init__(self, ready_after_calls: int = 0):
        self.timeouts: list[float | None] = []
        self.ready_after_calls = ready_after_calls

    async def get_msg(self, timeout=None):
        self.timeouts.append(timeout)
        await asyncio.sleep(timeout if timeout is not None else 0.0)
        if len(self.timeouts) > self.ready_after_calls:
            return {"msg": "reply"}
        raise Empty


def run(coro):
    return asyncio.run(coro)


def test_a_message_that_has_arrived_is_read_within_one_poll():
    channel = MissedWakeup()
    get = notebook_client.bounded_waits(channel.get_msg, poll=0.05)
    start = time.monotonic()
    assert run(get(timeout=30)) == {"msg": "reply"}
    assert time.monotonic() - start < 5  # one short wait, not the 30-second limit
    assert channel.timeouts == [0.05]


def test_every_wait_is_short_and_the_deadline_is_kept():
    channel = MissedWakeup(ready_after_calls=10**6)
    get = notebook_client.bounded_waits(channel.get_msg, poll=0.05)
    start = time.monotonic()
    with pytest.raises(Empty):
        run(get(timeout=0.3))
    assert time.monotonic() - start >= 0.3
    assert len(channel.timeouts) >= 2 and all(t <= 0.05 for t in channel.timeouts)


def test_no_deadline_means_polling_until_the_message_comes():
    channel = MissedWakeup(ready_after_calls=3)
    get = notebook_client.bounded_waits(channel.get_msg, poll=0.01)
    assert run(get(timeout=None)) == {"msg": "reply"}
    assert channel.timeouts == [0.01] * 4


def test_a_notebook_runs_with_both_channels_bounded():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.IntSlider(3)"),
            nbformat.v4.new_code_cell("print(6 * 7)"),
        ]
    )
    seen = []

    def look(cell, cell_index, **kwargs):
        seen.append(
            [getattr(ch.get_msg, "__qualname__", "") for ch in (client.kc.shell_channel, client.kc.iopub_channel)]
        )

    client = notebook_client.NotebookClient(nb, timeout=60, kernel_name="python3", on_cell_execute=look)
    client.execute()
    assert nb.cells[1].outputs[0]["text"] == "42\n"
    assert seen == [["bounded_waits.<locals>.get"] * 2] * 2
