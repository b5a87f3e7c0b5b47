"""What every script of ``benchmarks/`` does with its command line: one
parser whose user errors are one line (exit code 2), numbers and devices
checked at parsing, output paths checked before the run (not after hours of
it), and the process's threads and random generators set for a run and
restored after it (``main()`` is also called in-process, by the tests and by
users)."""
from __future__ import annotations

import argparse
import contextlib
import copy
import os
import sys
import tempfile

# the numbers of the flags are checked, and user errors said, as pyg-fusion's own are;
# --threads has the CLI's bound (at most 4 x the CPUs: far beyond, the runtime
# aborts or crashes the process, naming no flag)
from pyg_fusion.cli import (_number, _Parser, nonneg_float, nonneg_int,  # noqa: F401
                            positive_float, positive_int, seed_int)
from pyg_fusion.cli.__main__ import run_program
from pyg_fusion.cli._help import HelpFormatter as _CLIHelpFormatter
from pyg_fusion.cli._process import thread_count  # noqa: F401


_NO_HELP = "\0"


class HelpFormatter(argparse.RawDescriptionHelpFormatter, _CLIHelpFormatter):
    """The description as written, and every option's default said in
    ``--help`` as the ``pyg-fusion`` command line says it, also for an option
    with no help text of its own (argparse prints nothing for those: most
    flags of the scripts showed no default); a list default as it is typed
    (``64 128`` for ``nargs``, ``0,1,2`` for a comma-separated flag)."""

    def _format_action(self, action: argparse.Action) -> str:
        if (action.option_strings and not action.help and action.help != argparse.SUPPRESS
                and not any(action.default is v for v in (None, False, argparse.SUPPRESS))):
            action = copy.copy(action)
            action.help = _NO_HELP  # argparse asks _get_help_string of a help only
        return super()._format_action(action)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = super()._get_help_string(action).replace(_NO_HELP, "").strip()
        if isinstance(action.default, (list, tuple)) and "%(default)s" in text:
            sep = " " if action.nargs in ("+", "*") and not isinstance(action, _Seeds) else ","
            shown = sep.join(map(str, action.default)).replace("%", "%%") or "none"
            text = text.replace("%(default)s", shown)
        return text


class _Seeds(argparse.Action):
    """The words of ``--seeds`` as one list (pyg-fusion's
    :func:`~pyg_fusion.cli._runs.flat_seeds`)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from pyg_fusion.cli._runs import flat_seeds
        setattr(namespace, self.dest, flat_seeds(self, values))


def add_seeds_argument(parser: argparse.ArgumentParser, default: list[int],
                       help: str = "") -> None:
    """``--seeds`` in the one format of every script and of ``pyg-fusion``:
    ``0,1,2``, ``0..2`` or a mix (``0..2,7``), and the space-separated words of
    the recorded commands (``--seeds 100 101``), each in that format. The knn
    scripts took spaces only and the others commas only: a recorded command
    of the one failed in the other."""
    from pyg_fusion.cli._runs import int_list
    parser.add_argument("--seeds", type=int_list, nargs="+", action=_Seeds, default=default,
                        metavar="SEEDS", help=(help + " " if help else "") +
                        "'0,1,2', '0..2' or '0 1 2' (default: %(default)s)")


def units(k: int = 16):
    """The flag type of a size N of the scripts' kNN graphs of ``k``
    neighbours: an integer of at least ``k + 1``, the neighbours and the unit
    itself. Below it the graph is complete and ``k`` is not what was
    measured (prune_error.py --sizes 8 tabled an error of 0 for every
    prune_k): refused at parsing, naming the flag, as every bad number."""
    expected = f"an integer >= {k + 1} (k = {k} neighbours and the unit itself)"

    def parse(text: str) -> int:
        return _number(int, text, lambda v: v >= k + 1, expected)
    parse.__name__ = "units"
    return parse


def parser(script: str, description: str | None, **kwargs) -> argparse.ArgumentParser:
    """The parser of ``script`` (its ``__file__``): argparse's, named after
    the script also when ``main()`` is called in-process, whose errors
    (argparse's and the script's own ``parser.error``) are one line and
    exit code 2, as the ``pyg-fusion`` command line's; ``kwargs`` go to
    :class:`argparse.ArgumentParser` (default ``formatter_class``:
    :class:`HelpFormatter`)."""
    kwargs.setdefault("formatter_class", HelpFormatter)
    return _Parser(prog=os.path.basename(script), description=description, **kwargs)


def command_line(script: str, argv=None) -> str:
    """The command of a run, as recorded beside its numbers: this process's
    own (``python`` and ``sys.argv``) when the script runs as a program
    (``argv`` is ``None``), else ``python benchmarks/<script> <argv>``, as
    ``main(argv)`` called in-process was asked (the process's own arguments
    are then the caller's: pytest's, a notebook's)."""
    if argv is None:
        return " ".join(["python", *sys.argv])
    name = os.path.join("benchmarks", os.path.basename(script))
    return " ".join(["python", name, *map(str, argv)])


def check_device(parser: argparse.ArgumentParser, text: str, flag: str = "--device") -> None:
    """Exits through ``parser.error`` unless torch can place tensors on
    ``text`` here. CUDA is asked without starting it (the runs may be other
    processes, whose memory it would share)."""
    import torch
    try:
        device = torch.device(text)
        if device.type == "cuda":
            if (device.index or 0) >= torch.cuda.device_count():
                raise RuntimeError(f"no such CUDA device ({torch.cuda.device_count()} visible)")
        else:
            torch.empty(0, device=device)
    except (RuntimeError, AssertionError) as exc:
        parser.error(f"{flag} {text}: {str(exc).splitlines()[0]}")


def check_writable(parser: argparse.ArgumentParser, path, flag: str = "--json") -> None:
    """Exits through ``parser.error`` (one line, code 2) unless a file can be
    written at ``path``: its folder is created (the run would create it
    anyway) and a temporary file is made and removed in it. An empty path
    (``--json "$OUT"`` with ``OUT`` unset) is refused, as the ``pyg-fusion``
    command line's ``out_file``: the scripts write where the path is true."""
    if path is None:
        return
    path = os.fspath(path)
    if not path.strip():  # an unset shell variable: the run would write nothing
        parser.error(f"{flag}: expected a file path, got an empty path")
    if os.path.isdir(path):
        parser.error(f"{flag} {path}: is a folder, expected a file path")
    _probe(parser, os.path.dirname(os.path.abspath(path)), f"{flag} {path}")


def check_folder(parser: argparse.ArgumentParser, folder, flag: str = "--out") -> None:
    """As :func:`check_writable`, for an output folder."""
    if folder is None:
        return
    folder = os.fspath(folder)
    if not folder.strip():
        parser.error(f"{flag}: expected a folder, got an empty path")
    if os.path.exists(folder) and not os.path.isdir(folder):
        parser.error(f"{flag} {folder}: is a file, expected a folder")
    _probe(parser, folder, f"{flag} {folder}")


def _probe(parser: argparse.ArgumentParser, folder: str, shown: str) -> None:
    """Creates ``folder`` and a temporary file in it, or exits naming ``shown``."""
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".bench-write-check-"):
            pass
    except OSError as exc:
        parser.error(f"{shown}: cannot write there ({exc.strerror or exc})")


def distinct(parser: argparse.ArgumentParser, args: argparse.Namespace, *flags: str) -> None:
    """Exits through ``parser.error`` when one of the list ``flags`` names a
    value twice (``--sizes 64 64`` ran the size twice and tabled two rows of
    one N, which the figure drew as a zigzag), as the scripts refuse a
    variant, setting or modality named twice."""
    for flag in flags:
        values = list(getattr(args, flag.lstrip("-").replace("-", "_")) or ())
        twice = sorted({v for v in values if values.count(v) > 1}, key=values.index)
        if twice:
            parser.error(f"{flag}: {', '.join(map(repr, twice))} named more than once")


def given(parser: argparse.ArgumentParser, argv, *dests: str) -> list[str]:
    """Those of ``dests`` that the command line ``argv`` gives (its default
    value included), for a flag that one mode of a script does not read: the
    parser's defaults are what ``--help`` says and what a run records, so the
    command line is parsed again with them unset."""
    kept = {dest: parser.get_default(dest) for dest in dests}
    parser.set_defaults(**dict.fromkeys(dests))
    try:
        seen = parser.parse_args(argv)
    finally:
        parser.set_defaults(**kept)
    return [dest for dest in dests if getattr(seen, dest) is not None]


def refuse_unread(parser: argparse.ArgumentParser, argv, mode: str, why: str,
                  *read: str) -> None:
    """Exits through ``parser.error`` (one line, code 2) naming the first flag
    of the command line ``argv`` that the mode ``mode`` (``--plot``,
    ``--summarise``) does not read: every option but ``--help`` and the
    ``read`` ones (their dests) is a run's, which the mode would ignore
    silently; ``why`` says what the mode does instead."""
    flags = {a.dest: a.option_strings[0] for a in parser._actions
             if a.option_strings and a.dest not in ("help", *read)}
    unread = given(parser, argv, *flags)
    if unread:
        parser.error(f"{flags[unread[0]]}: a flag of a run, not read with {mode} ({why})")


def worker_values(parser: argparse.ArgumentParser, values: list[str], expected: dict) -> list:
    """The values of a script's hidden ``--worker`` flag (one run's process,
    which the script starts itself), checked against ``expected``: per
    value, in order, its name and a minimum (an integer at least that,
    returned as an ``int``) or a tuple of choices (returned as given). A
    value out of them exits through ``parser.error`` naming all that was
    expected: a hand-typed worker is answered as any user error, not with
    a traceback or a run recorded under a name it did not measure."""
    def ok(value: str, want) -> bool:
        if isinstance(want, int):
            return value.isdigit() and int(value) >= want
        return value in want

    wants = list(expected.values())
    if not all(ok(v, want) for v, want in zip(values, wants)):
        parts = [f"{name} >= {want}" if isinstance(want, int) else
                 f"{', '.join(want[:-1])} or {want[-1]}" for name, want in expected.items()]
        said = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
        parser.error(f"--worker: expected {said}, got {' '.join(values)}")
    return [int(v) if isinstance(want, int) else v for v, want in zip(values, wants)]


def read_json(parser: argparse.ArgumentParser, path: str, shown: str | None = None):
    """The JSON of ``path`` (pyg_fusion's one reader,
    :func:`pyg_fusion._files.read_json`), or an exit through ``parser.error``
    with its error, naming the path and ``shown`` (the flag that gave it)."""
    from pyg_fusion._files import read_json as read
    from pyg_fusion.cli import _describe
    try:
        return read(path, shown)
    except (OSError, ValueError) as exc:
        parser.error(_describe(exc))


@contextlib.contextmanager
def user_errors(prog: str):
    """A :class:`ValueError` or :class:`OSError` raised in the block (a bad
    flag value that the library refused, a missing input file) becomes one
    line on stderr and exit code 2, as the ``pyg-fusion`` command line does."""
    from pyg_fusion.cli import _describe, _one_line
    try:
        yield
    except (ValueError, OSError) as exc:
        if isinstance(exc, BrokenPipeError):  # stdout's reader left: run_script ends quietly
            raise
        print(f"{prog}: error: {_one_line(_describe(exc))}", file=sys.stderr)
        raise SystemExit(2) from None


@contextlib.contextmanager
def kept_state(threads: int | None = None, faiss=None):
    """The process's threads and random generators as the block found them,
    whatever the run in it changes or raises: torch's thread count (``threads``
    in the block, when given), faiss's (the module ``faiss``, when given: a
    script that calls faiss itself; ``threads``, or torch's count, in the
    block, as the library sets it around its own searches), and the global
    random generators (torch's, CUDA's where CUDA is started, numpy's,
    python's), which the runs seed."""
    import random

    import numpy as np
    import torch
    with contextlib.ExitStack() as stack:
        # the generators kept here, not by pyg_fusion.training's
        # keep_global_rng: importing it (Lightning) would add some 80 MiB to
        # the peak memory that the workers of scaling.py and
        # sparse_vs_dense.py measure
        stack.callback(random.setstate, random.getstate())
        stack.callback(np.random.set_state, np.random.get_state())
        cuda = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
        stack.enter_context(torch.random.fork_rng(devices=cuda))
        stack.callback(torch.set_num_threads, torch.get_num_threads())
        if threads:
            torch.set_num_threads(threads)
        if faiss is not None:
            from pyg_fusion.functional._knn_index import _threads
            stack.enter_context(_threads(faiss, threads))
        yield


def peak_rss_bytes() -> int:
    """The peak resident memory of this process so far, in bytes
    (``getrusage``'s ``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    import resource
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def run_script(main) -> None:
    """Runs a script's ``main()`` as its program (its ``__main__`` block) and
    exits with its status: a reader that closes early (``| head``) ends it
    quietly with status 1, as the ``pyg-fusion`` console script
    (:func:`pyg_fusion.cli.__main__.run_program`)."""
    try:
        status = run_program(main)
    except Exception as exc:  # memory ran out: a size given too large for the machine
        from pyg_fusion.cli import _one_line, _out_of_memory
        if not _out_of_memory(exc):
            raise
        # --sizes 100000000000 ended in a traceback of torch's allocator; the
        # pyg-fusion command line says it in one line, as here
        given = sorted({a for a in sys.argv[1:] if a.isdigit()}, key=int, reverse=True)
        hint = f"; the integers given, largest first: {', '.join(given[:3])}" if given else ""
        said = _one_line(exc)  # Python's own MemoryError often says nothing
        print(f"{os.path.basename(sys.argv[0])}: error: out of memory"
              f"{f' ({said})' if said else ''}{hint}", file=sys.stderr)
        status = 2
    sys.exit(status)
