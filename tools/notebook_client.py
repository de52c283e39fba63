"""nbclient's NotebookClient, with waits for a kernel's messages that cannot stall.

nbclient waits for a cell's reply with one ``get_msg(timeout=...)`` on the kernel's
shell channel, as long as the cell's time limit. On the asyncio sockets it uses, that
wait sometimes does not wake when the reply arrives; it returns the reply only when the
time limit runs out, as if the cell had run that long (jupyter/nbclient#312, after
cells that display widgets). Measured here: chapter 6's explorer cell, which takes
under a second, took exactly the 300-second limit in one of 26 runs of that chapter, and
the grader, which stops a cell at its time limit, would have reported a cell that had
finished as out of time.

:class:`NotebookClient` splits every wait on the shell and IOPub channels into waits of
at most :data:`POLL` seconds up to the same deadline. Each ends by looking at the socket
again, so a message that has arrived is read within ``POLL`` seconds, and a cell that
really runs past its limit still stops at the limit.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from queue import Empty
from typing import Any

import nbclient

POLL = 0.5  # seconds


def bounded_waits(get_msg: Callable[..., Awaitable[Any]], poll: float = POLL) -> Callable[..., Awaitable[Any]]:
    """``get_msg`` as a series of waits of at most ``poll`` seconds up to the same deadline."""

    async def get(timeout: float | None = None) -> Any:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = poll if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await get_msg(timeout=min(poll, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    return get


class NotebookClient(nbclient.NotebookClient):
    """A NotebookClient whose kernel client reads each message within POLL seconds of its arrival."""

    async def async_start_new_kernel_client(self) -> Any:
        kc = await super().async_start_new_kernel_client()
        for channel in (kc.shell_channel, kc.iopub_channel):
            channel.get_msg = bounded_waits(channel.get_msg)
        return kc
