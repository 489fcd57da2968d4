"""The local stack's Ctrl-C reaches its main thread, whichever thread the kernel would have chosen."""

from __future__ import annotations

import signal
import threading

from infra.devstack.runner import Runner


class _Worker:
    """A service with one thread, as the stack's pollers and servers are."""

    name = "worker"

    def __init__(self) -> None:
        self.blocked: set[signal.Signals] = set()
        self._thread = threading.Thread(target=self._run)

    def start(self) -> None:
        self._thread.start()
        self._thread.join()

    def _run(self) -> None:
        self.blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])  # the mask, unchanged

    def stop(self) -> None:
        pass


def test_a_services_threads_leave_ctrl_c_to_the_main_thread() -> None:
    worker = _Worker()
    runner = Runner()
    runner.start(worker)
    assert {signal.SIGINT, signal.SIGTERM} <= worker.blocked
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # the main thread takes it
    runner.stop()
