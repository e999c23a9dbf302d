"""Native code in a worker process that is started again when it dies.

The speech synthesiser (espeak-ng through pyttsx3) and the recogniser (pocketsphinx) are
C libraries: a fault in them kills the process that loaded them. Each runs in its own
worker process instead, and the client talks to it over a pipe with typed messages: a
`Request` names a method of the object the worker's factory built, and a `Response`
carries its value or the exception it raised (raised again in the client, as it was).

When the worker dies (a signal, an exit) or stops answering, `Worker.call` starts a new
one, replays the calls that built up the state the request needs (`journal`, e.g. the
audio of the turn being decoded) and sends the request once more. Only a second failure
in a row reaches the caller, as `WorkerCrashed`.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from massage_coach.settings import PROJECT_DIR

# The first answer of a new worker: building a recogniser takes a few seconds on a busy machine.
START_TIMEOUT_S = 120.0
# A request that takes longer than this hangs (a sentence renders in ~11 ms, a turn decodes in
# ~100 ms): the worker is killed and the request tried again.
REPLY_TIMEOUT_S = 30.0
PEAK_RSS = "__peak_rss_kb__"  # a request every worker answers: its peak resident memory in kB


def peak_rss_kb(pid: int | str = "self") -> int:
    """A process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise ValueError(f"no VmHWM for process {pid}")


class WorkerCrashed(RuntimeError):
    """The worker died (or hung) on a request twice in a row."""


@dataclass(frozen=True)
class Request:
    method: str
    args: Tuple[Any, ...] = ()
    kwargs: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Response:
    value: Any = None
    error: Optional[BaseException] = None


@dataclass(frozen=True)
class Ready:
    """A new worker's first message: the attributes the client copies (see `Worker.copied`)."""
    attributes: Dict[str, Any]


def serve(connection: Connection) -> None:
    """The worker's loop: build the object, then answer requests until the client closes the pipe."""
    faulthandler.enable()  # a native crash prints the Python stack to stderr before the process dies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the client's to handle
    try:
        factory, copied = connection.recv()
        target = factory()
        connection.send(Ready({name: getattr(target, name) for name in copied}))
    except Exception as error:  # noqa: BLE001 - the client raises it
        connection.send(Response(error=error))
        return
    while True:
        try:
            request: Request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            if request.method == PEAK_RSS:
                response = Response(peak_rss_kb())
            else:
                response = Response(getattr(target, request.method)(*request.args, **request.kwargs))
        except Exception as error:  # noqa: BLE001 - sent back and raised in the client
            response = Response(error=error)
        try:
            connection.send(response)
        except (pickle.PicklingError, TypeError, AttributeError) as error:  # e.g. an exception of a C extension
            connection.send(Response(error=RuntimeError(f"{request.method}: unpicklable answer ({error})")))


def lower_priority(pid_or_thread_id: int, by: int) -> None:
    """Sets a child process's (or, on Linux, a thread's) nice value `by` above this process's main
    thread's: from it, not from its own, which it may have inherited already lowered from the
    thread that made it."""
    ours = os.getpriority(os.PRIO_PROCESS, os.getpid())
    os.setpriority(os.PRIO_PROCESS, pid_or_thread_id, min(19, ours + by))


class Worker:
    """Runs `factory()` in a child process and calls methods of what it returns.

    `factory` must be picklable (a class or a module-level function): the worker is a new
    Python process (`python -m massage_coach.clients.voice.worker`), not a fork, so it starts clean of
    the client's threads and never runs the client's main module. `copied`: attributes of the remote
    object read once at start (plain data the client needs locally). `journal(request, calls)`
    keeps the calls to replay after a restart: it gets each request and the list so far and
    returns the new list (default: nothing is replayed: every call stands alone). `niceness`: the
    worker's CPU priority, lowered by this much (a server's recogniser yields to chat turns)."""

    def __init__(self, factory: Callable[[], Any], name: str, copied: Sequence[str] = (),
                 journal: Optional[Callable[[Request, List[Request]], List[Request]]] = None,
                 reply_timeout_s: float = REPLY_TIMEOUT_S, niceness: int = 0) -> None:
        self.factory, self.name, self.copied = factory, name, tuple(copied)
        self.niceness = niceness
        self.journal = journal or (lambda request, calls: [])
        self.reply_timeout_s = reply_timeout_s
        self.starts = 0
        self._attributes: Dict[str, Any] = {}
        self._calls: List[Request] = []
        self._process: Optional[subprocess.Popen] = None
        self._connection: Optional[Connection] = None
        # The worker's TMPDIR, made and removed here: a worker killed by a fault never cleans up
        # its own temporary files (the synthesiser's WAVs, the grammar's dictionary).
        self._scratch: Optional[tempfile.TemporaryDirectory] = None
        self._ready = False
        self._start()  # its Ready is awaited on first use, so that several workers start side by side

    @property
    def attributes(self) -> Dict[str, Any]:
        """The `copied` attributes of the remote object."""
        self._await_ready()
        return self._attributes

    @property
    def restarts(self) -> int:
        """Workers started after the first (a crash, a hang)."""
        return max(0, self.starts - 1)

    @property
    def pid(self) -> Optional[int]:
        return self._process.pid if self._process else None

    def _start(self) -> None:
        self.starts += 1
        ours, theirs = socket.socketpair()
        path = os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")]))
        # Its stdout is dropped (pyttsx3 prints "Audio saved to ..."; the client's own stdout is the
        # conversation); its stderr is the client's, for faulthandler's stacks.
        command = [sys.executable, "-m", "massage_coach.clients.voice.worker", str(theirs.fileno())]
        self._scratch = tempfile.TemporaryDirectory(prefix="massage-coach-worker-")
        self._process = subprocess.Popen(command, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL,
                                         env={**os.environ, "PYTHONPATH": path, "TMPDIR": self._scratch.name})
        theirs.close()  # so that the worker's death reads as end of file here
        if self.niceness:
            lower_priority(self._process.pid, self.niceness)
        self._connection = Connection(ours.detach())
        self._connection.send((self.factory, self.copied))
        self._ready = False

    def _await_ready(self) -> None:
        if self._ready:
            return
        first = self._receive(START_TIMEOUT_S)
        if isinstance(first, Response):  # the factory raised: no use starting it again
            self.close()
            raise first.error
        self._attributes, self._ready = first.attributes, True

    def _receive(self, timeout_s: float) -> Any:
        """The worker's next message; WorkerCrashed if it died or said nothing for `timeout_s`."""
        try:
            if self._connection.poll(timeout_s):
                return self._connection.recv()
        except (EOFError, OSError):
            pass
        try:
            code = self._process.wait(0.5)
        except subprocess.TimeoutExpired:
            code = None
        cause = "stopped answering" if code is None else (
            f"died of signal {-code}" if code < 0 else f"exited with status {code}")
        raise WorkerCrashed(f"the {self.name} worker {cause}")

    def _send(self, request: Request) -> None:
        try:
            self._connection.send(request)
        except (BrokenPipeError, ConnectionResetError, OSError) as error:
            raise WorkerCrashed(f"the {self.name} worker is gone ({error})") from error

    def _exchange(self, request: Request) -> Any:
        if self._process is None:  # the last one failed twice and was stopped
            self._start()
        self._await_ready()
        self._send(request)
        response: Response = self._receive(self.reply_timeout_s)
        if response.error is not None:
            raise response.error
        return response.value

    def _restart(self, why: WorkerCrashed) -> None:
        print(f"voice: {why}; starting it again (restart {self.starts})", file=sys.stderr, flush=True)
        self._stop()
        self._start()
        for earlier in self._calls:  # the state the next request builds on
            self._exchange(earlier)

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """`method(*args, **kwargs)` in the worker; its exceptions are raised here. A dead or hung
        worker is started again and the request sent once more; WorkerCrashed if that fails too."""
        request = Request(method, args, kwargs)
        try:
            value = self._exchange(request)
        except WorkerCrashed as crash:
            try:
                self._restart(crash)
                value = self._exchange(request)
            except WorkerCrashed:
                self._stop()  # the next call starts a new worker
                self._calls = []
                raise
        self._calls = self.journal(request, self._calls)
        return value

    def peak_rss_kb(self) -> int:
        """The worker's peak resident memory, in kB, asked of the worker itself."""
        return self.call(PEAK_RSS)

    def _stop(self, grace_s: float = 0.0) -> None:
        """Ends the worker: it exits when its pipe closes; one still there after `grace_s` is killed."""
        if self._connection is not None:
            self._connection.close()
        if self._process is not None:
            try:
                self._process.wait(grace_s)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._scratch is not None:
            self._scratch.cleanup()
        self._process = self._connection = self._scratch = None
        self._ready = False

    def close(self) -> None:
        self._stop(grace_s=2.0)

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


if __name__ == "__main__":
    # Through the module's own name, so that its messages unpickle in the client as worker.Ready etc.
    from massage_coach.clients.voice import worker

    worker.serve(Connection(int(sys.argv[1])))
