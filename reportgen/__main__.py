"""``reportgen`` (the installed command) and ``python -m reportgen``.

The command line is imported only when the command runs: a helper process imports its
program's main module before it starts work (multiprocessing's rule), and a helper that
draws charts needs none of the command line.

A command that builds an edition starts its helpers' fork server first of all, so that the
server's imports (matplotlib, a second or two) run on the core that the command line's own
imports leave idle, and the server is ready when the charts are to be drawn
(``processes.py``). The command line starts it too, for callers that do not come this way.
"""

import contextlib
import sys

# The commands that build an edition, as their first words.
BUILDING = (["build"], ["publish"], ["archive", "rebuild"])
# The options before a command that take a value (``reportgen --log-file FILE build``).
VALUED = ("--log-file",)


def words(args: list[str]) -> list[str]:
    """The words of ``args`` that are not options, nor the value of an option given before
    the command: the command's name comes first (``archive rebuild 2026-10`` gives those
    three)."""
    found: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in VALUED
        else:
            found.append(arg)
    return found


def workers_asked(args: list[str]) -> int:
    """What ``--workers N`` asks for (1 if nothing, or nothing the command line accepts)."""
    for n, arg in enumerate(args):
        value = (arg.removeprefix("--workers=") if arg.startswith("--workers=")
                 else args[n + 1] if arg == "--workers" and n + 1 < len(args) else None)
        if value is not None and value.isdigit():
            return int(value)
    return 1


def main() -> None:
    args = sys.argv[1:]
    command = words(args)
    if any(command[:len(building)] == building for building in BUILDING):
        from reportgen.processes import start_fork_server

        # If it cannot start now (no file descriptors or processes to spare), the command
        # tries again, and says so in one line if it must.
        with contextlib.suppress(OSError):
            start_fork_server(for_copies=workers_asked(args) > 1)
    from reportgen.cli import app

    app(prog_name="reportgen")


if __name__ == "__main__":
    main()
