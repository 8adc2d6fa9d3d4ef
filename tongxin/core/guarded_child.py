"""The child side of guarded.run: ``python -m tongxin.core.guarded_child``.

Kept free of Django and of every project import at module level: the child starts fast, and
what it runs touches nothing of the parent's (database connections, locks, threads). It reads
its orders from stdin as one pickle (target "module:function", arguments and limits),
limits its own address space and CPU time before importing the target, and writes each item
the target yields to its protocol pipe as a pickle. Anything the target prints goes to stderr,
so it can never be mistaken for a message."""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import resource
import sys


def main() -> int:
    # (the orders come from the parent process through a pipe only it holds)
    orders = pickle.load(sys.stdin.buffer)  # noqa: S301
    # fd 1 becomes the protocol channel only; print() and library chatter go to stderr.
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    memory, cpu = int(orders["memory"]), int(orders["cpu"])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no dump of a roster
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    module_name, _, func_name = orders["target"].partition(":")
    func = getattr(importlib.import_module(module_name), func_name)
    try:
        for item in func(*orders["args"]):
            pickle.dump(("item", item), channel, protocol=pickle.HIGHEST_PROTOCOL)
            channel.flush()
    except MemoryError:
        # Free what the failed allocation left, then say so (the parent gives the reason).
        func = None
        # Best effort: if even this fails, the parent gives the reason from the exit status.
        with contextlib.suppress(MemoryError, OSError):
            pickle.dump(("memory",), channel)
            channel.flush()
        return 3
    except BrokenPipeError:
        return 0  # the parent has what it needs and stopped reading
    except Exception as e:
        # Where it failed, not the message: a message may quote a cell (an ID number).
        import traceback

        where = "".join(traceback.format_tb(e.__traceback__))
        pickle.dump(("error", f"{where}{type(e).__module__}.{type(e).__qualname__}"), channel)
        channel.flush()
        return 1
    pickle.dump(("end",), channel)
    channel.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except MemoryError:
        sys.exit(3)
