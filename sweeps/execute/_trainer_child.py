"""The process a user trainer's runs happen in: ``python -m sweeps.execute._trainer_child``.

It speaks to its parent (:mod:`sweeps.execute.usertrain`) over its stdin and stdout
in length-prefixed pickles: first the trainer to load, answered with ``("ready",
None)`` or ``("error", reason)``; then one ``(params, seed, max_epochs, stop)`` per
run, answered with ``("ok", record)`` or ``("raised", reason)``. The trainer's own
output (prints, warnings) goes to the null device: the protocol owns the pipes.
A separate process is what lets the parent stop a run that never returns.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import signal
import struct
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

HEADER = struct.Struct("<Q")


def send(out: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(HEADER.pack(len(data)) + data)
    out.flush()


def receive(inp: IO[bytes]) -> Any:
    head = inp.read(HEADER.size)
    if len(head) < HEADER.size:
        return None  # the parent is gone: stop
    return pickle.loads(inp.read(HEADER.unpack(head)[0]))


def one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text}"[:300] if text else type(e).__name__


def _load(hello: dict[str, Any]) -> Any:
    """The trainer function, imported as the parent did (sweeps.config.trainer), checked
    against the parent's hash. Self-contained: importing sweeps.config would import
    pandas, a second of start-up for every chunk."""
    import importlib
    import importlib.util

    sys.path[:0] = [p for p in hello["sys_path"] if p not in sys.path]
    where = hello["module"]
    if where.endswith(".py"):
        name = f"nnsweep_trainer_{hashlib.sha256(Path(where).read_bytes()).hexdigest()[:16]}"
        spec = importlib.util.spec_from_file_location(name, where)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[name] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    else:
        module = importlib.import_module(where)
    fn = getattr(module, hello["function"])
    source = Path(module.__file__)  # type: ignore[arg-type]
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if digest != hello["sha256"]:
        raise RuntimeError(
            f"the trainer's file {source} changed since the sweep began "
            f"(sha256 {digest[:12]} != {hello['sha256'][:12]})"
        )
    return fn


def _watch_parent() -> None:
    """Exit when the parent dies: a run that never returns must not outlive a killed sweep
    (an idle child sees the end of its input instead)."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def main() -> None:
    # Ctrl-C is the sweep's to handle (it keeps finished chunks); a run must not record it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, daemon=True).start()
    inp, out = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    try:
        fn = _load(receive(inp))
    except BaseException as e:  # anything a user's module does on import
        send(out, ("error", one_line(e)))
        return
    send(out, ("ready", None))
    while (task := receive(inp)) is not None:
        params, seed, max_epochs, stop = task
        try:
            answer = ("ok", fn(dict(params), seed, max_epochs, dict(stop)))
        except BaseException as e:
            answer = ("raised", one_line(e))
        try:
            send(out, answer)
        except Exception as e:  # e.g. a record that cannot be pickled
            send(out, ("raised", f"its record cannot be sent back: {one_line(e)}"))


if __name__ == "__main__":
    main()
