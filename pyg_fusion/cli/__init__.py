"""The ``pyg-fusion`` command line.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a callable
taking the parsed arguments and returning an exit code.

The error contract lives here and only here: a user error prints one line,
``pyg-fusion <command>: error: <what, naming the flag or file>``, and gives exit
code 2, never a traceback. Argument errors come from argparse (``_parser``, flag types
such as :func:`positive_int` and :func:`out_folder`, in ``_basic_types``); a command's
``check`` (``set_defaults(check=...)``) finds those that need the values of
several flags or a file's existence before torch and Lightning load; a command
raises :class:`CLIError` for the rest, and the library's own ``ValueError`` and
``OSError`` (bad files, bad values, which already name what is wrong) are
reported the same way by :func:`main`, and memory running out (a size given
beyond the machine), naming the integers given. A notice, which the library warns
(:class:`~pyg_fusion.PygFusionNotice`) and the command goes on after, prints
one line ``pyg-fusion <command>: notice: ...`` (``_process.rendered_notices``).
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import importlib
import os
import sys

from .._notices import PygFusionNotice
from ._basic_types import (_number, finite_float, fraction, nonneg_float, nonneg_int,  # noqa: F401
                           out_file, out_folder, positive_float, positive_int, seed_int,
                           user_path)
from ._parser import (_APPEND_ORIGINS, _LIST_FLAGS_GIVEN, AppendFlag, FileItem,  # noqa: F401
                      ListFlag, _one_line, _Parser, close_names)

# Module names under pyg_fusion.cli, in the order they appear in --help.
COMMANDS: list[str] = ["demo", "train", "evaluate", "compare", "sweep", "plot", "segment", "translate"]


class CLIError(Exception):
    """A user error: raise it anywhere in a command (naming the flag or file);
    :func:`main` prints it as one line ``pyg-fusion <command>: error: ...``
    and returns exit code 2, no traceback."""


# Errors of the library that a user's input causes (bad files, bad values):
# main() reports them like CLIError; a notice too, made an error by -W error.
# Anything else is a bug and keeps its traceback.
USER_ERRORS = (CLIError, OSError, ValueError, PygFusionNotice)


def _worker_error(text: str) -> str | None:
    """The message of the error that a DataLoader worker raised, from the text
    torch re-raises it with in the main process (``Caught ValueError in
    DataLoader worker process 0.`` and the worker's whole traceback), or None
    for other text. A user error in a worker (a damaged file read with
    ``--workers``) is as much the user's as in the main process: one line, its
    own message."""
    if not text.startswith("Caught ") or "\nOriginal Traceback (most recent call last):" not in text:
        return None
    lines = text[text.rindex("Traceback (most recent call last):"):].splitlines()[1:]
    # frames are indented; the exception ('Type: message', maybe several
    # lines) follows the last of them
    first = next((i for i, line in enumerate(lines) if line and not line[0].isspace()), None)
    if first is None:
        return None
    message = "\n".join(lines[first:])
    type_name, sep, rest = message.partition(": ")
    return rest if sep and type_name.replace(".", "").replace("_", "").isalnum() else message


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        target = exc.filename if exc.filename2 is None else f"{exc.filename} -> {exc.filename2}"
        return f"{target}: {exc.strerror}"
    text = str(exc)
    return _worker_error(text) or text or type(exc).__name__


# The help of an --out that a command needs to run but not to print its
# config: main() requires it once --print-config is ruled out.
OUT_REQUIRED = "(required, except with --print-config)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pyg-fusion",
        description="Multi-modal feature fusion on PyTorch Geometric: "
        "LEGO graph-power fusion and AsymFusion.")
    from .. import __version__
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True  # as segment's and translate's actions: none is a one-line error
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    _name_commands(parser)
    return parser


def _name_commands(parser: argparse.ArgumentParser) -> None:
    # Each (sub-)command parser records its full name ("segment train"), so
    # that main() prefixes errors raised while it runs as argparse does.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.set_defaults(_prog=sub.prog)
                _name_commands(sub)


def _command_of(parser: argparse.ArgumentParser, prog: str):
    # the (sub-)command parser whose prog is ``prog`` ("pyg-fusion segment train")
    for name in prog.split()[1:]:
        parser = _command_parser(parser, name) or parser
    return parser


def _command_parser(parser: argparse.ArgumentParser, name: str):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(name)
    return None


@contextlib.contextmanager
def _out_lock(parser: argparse.ArgumentParser, args):
    """The lock of the command's output folder (an ``--out`` of type
    :func:`out_folder`): two commands writing into one folder at once mix
    their files, so the second is refused (:func:`pyg_fusion._files.folder_lock`).
    A DDP process that the command started is part of it and takes none. A
    folder that cannot be made or written (a read-only mount, no permission)
    is refused here, before any work, naming ``--out``."""
    out = getattr(args, "out", None)
    if not out or not _out_is_folder(parser, args) or _rank() != 0:
        yield
        return
    from .._files import FolderInUse, folder_lock
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(folder_lock(out, "--out"))
        except FolderInUse:
            raise
        except OSError as exc:
            raise CLIError(f"--out {out}: cannot write there ({_describe(exc)})") from exc
        yield


def _rank() -> int:
    """Lightning's rank of this process (> 0: a DDP process the command
    started), imported only where a folder is locked: Lightning takes seconds
    to import, which a user error found before any folder would wait for."""
    from lightning.fabric.utilities.rank_zero import rank_zero_only
    return getattr(rank_zero_only, "rank", 0)


def _out_is_folder(parser: argparse.ArgumentParser, args) -> bool:
    """Whether the command's ``--out`` is an output folder (type
    :func:`out_folder`), not a file (``plot``'s figure)."""
    command = _command_of(parser, args._prog) if hasattr(args, "_prog") else None
    return command is not None and any(a.dest == "out" and a.type is out_folder
                                       for a in command._actions)


def _interrupted_note(parser: argparse.ArgumentParser, args, start: float) -> str:
    """What an interrupted command leaves: its output folder's finished part
    (each file and run is published whole), or no figure (``plot``: written
    whole or not at all), or nothing to say (no output yet, none given)."""
    out = getattr(args, "out", None)
    if not out:
        return ""
    if not _out_is_folder(parser, args):
        return f"; {out} was not {'replaced' if os.path.exists(out) else 'written'}"
    if not os.path.isdir(out):
        return f"; nothing was written to {out}"
    # the unfinished run's stage keeps its last epoch, which the next run of
    # the same name removes with its stage: said, or lost without a word
    last = sorted(glob.glob(os.path.join(glob.escape(out), "**", "*.partial", "checkpoints",
                                         "last.ckpt"), recursive=True))
    command = _command_of(parser, args._prog) if hasattr(args, "_prog") else None
    resumes = command is not None and any(a.dest == "resume" for a in command._actions)
    # segment / translate train continue it (experiments._image_resume)
    image = resumes and getattr(args, "action", None) == "train"
    kept = (f" (the unfinished run's last epoch: {last[0]}"
            + (f" and {len(last) - 1} more" if len(last) > 1 else "")
            + (": rerun with --resume to continue it, or without to train from the start)"
               if image else f", removed by the next run into {out}: move it to keep it)")
            ) if last else ""
    if not _published_since(out, start):
        return f"; nothing had finished, {out} holds no result of this run{kept}"
    # compare and sweep record their finished runs in <name>.partial.json:
    # without the flag that reuses them, a rerun trains every run again
    partial = sorted(glob.glob(os.path.join(glob.escape(out), "*.partial.json")))
    if partial and resumes:
        return (f"; what finished is under {out}, its runs in "
                f"{os.path.basename(partial[0])}: rerun with --resume to reuse them{kept}")
    return f"; what finished is under {out}{kept}"


def _published_since(out: str, start: float) -> bool:
    """Whether a file was published into ``out`` since ``start`` (a published
    file keeps the time it was written): one outside the runs' stages
    (``*.partial``) and the hidden lock and temporary files."""
    start -= 0.05  # file times follow the kernel's coarser clock
    for folder, dirs, files in os.walk(out):
        dirs[:] = [d for d in dirs if not d.endswith(".partial") and not d.startswith(".")]
        for name in files:
            try:
                if not name.startswith(".") and os.stat(os.path.join(folder, name)).st_mtime \
                        >= start:
                    return True
            except OSError:  # removed meanwhile
                continue
    return False


def _out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` says that memory ran out: Python's and numpy's
    :class:`MemoryError`, torch's ``OutOfMemoryError`` (CUDA) and its CPU
    allocator's :class:`RuntimeError` (``can't allocate memory``). A huge
    size given (``--hidden-channels 10**12``) ends there, a user error that
    no flag's type can bound (the machine's memory is the limit)."""
    if isinstance(exc, MemoryError):
        return True
    import torch
    return isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc))


def _integers_given(parser: argparse.ArgumentParser, args) -> list[str]:
    """``--flag N`` for each integer setting of the command away from its
    default, largest first: the sizes to look at when memory ran out."""
    command = _command_of(parser, args._prog) if hasattr(args, "_prog") else parser
    given = [(v, a.option_strings[0]) for a in command._actions if a.option_strings
             for v in [getattr(args, a.dest, None)]
             if isinstance(v, int) and not isinstance(v, bool) and v != a.default]
    return [f"{flag} {v}" for v, flag in sorted(given, key=lambda t: -t[0])]


def _said(exc: BaseException, command, origins: dict) -> str:
    """A run's error as its one line, naming the config file and key that
    gave the flag it is about (:func:`~pyg_fusion.cli._config_file.name_config_key`)."""
    said = _one_line(_describe(exc))
    if not origins:
        return said
    from ._config_file import name_config_key
    return name_config_key(said, command, origins)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    from ._runs import route_task
    try:
        argv = route_task(argv)
    except CLIError as exc:
        print(f"pyg-fusion {' '.join(argv[:1])}: error: {exc}", file=sys.stderr)
        return 2
    from_files: dict[str, int] = {}  # the list flags that config files give
    origins: dict = {}  # the settings that config files give: their file and key
    if argv and any(t == "--config" or t.startswith("--config=") for t in argv[1:]):
        from ._config_file import expand_config_files
        sub, head = _command_parser(parser, argv[0]), argv[:1]
        if sub is not None and len(argv) > 1 and _command_parser(sub, argv[1]) is not None:
            sub, head = _command_parser(sub, argv[1]), argv[:2]  # segment train ...
        if sub is not None and any(a.dest == "config" for a in sub._actions):
            from ._process import rendered_notices
            try:
                with rendered_notices(sub.prog):  # a file's notices, as the command's
                    argv = [*head, *expand_config_files(sub, argv[len(head):], from_files,
                                                        origins)]
            except USER_ERRORS as exc:
                print(f"{sub.prog}: error: {_one_line(_describe(exc))}", file=sys.stderr)
                return 2
    args, extra = parser.parse_known_args(argv)
    # named by the command that did not take them, as every other error
    where = _command_of(parser, args._prog) if hasattr(args, "_prog") else parser
    if extra:
        where.error(f"unrecognized arguments: {' '.join(extra)}{close_names(where, extra)}")
    vars(args).pop(_APPEND_ORIGINS, None)
    for flag, n in vars(args).pop(_LIST_FLAGS_GIVEN, {}).items():
        typed = n - from_files.get(flag, 0)
        if typed > 1:
            where.error(f"argument {flag}: given {typed} times; list all its values after one "
                        f"{flag}")
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    prog = getattr(args, "_prog", f"pyg-fusion {args.command}")
    if getattr(args, "print_config", False):
        from ._config_flags import print_config
        try:
            print_config(args)
        except USER_ERRORS as exc:
            if isinstance(exc, BrokenPipeError):  # stdout's reader left: entry() ends quietly
                raise
            print(f"{prog}: error: {_said(exc, where, origins)}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:  # it writes nothing: a line, not a traceback
            print(f"{prog}: interrupted", file=sys.stderr)
            return 130
        return 0
    from ._process import command_settings, rendered_notices
    if getattr(args, "out", "") is None:  # the image commands' --out (OUT_REQUIRED)
        print(f"{prog}: error: the following arguments are required: --out (see {prog} --help)",
              file=sys.stderr)
        return 2
    import time
    start = time.time()
    try:
        if getattr(args, "check", None) is not None:
            # the command's user errors that need no torch nor Lightning, whose
            # imports (seconds) command_settings and the lock of --out make
            with rendered_notices(prog):
                args.check(args)
        with command_settings(args), _out_lock(parser, args), rendered_notices(prog):
            return int(args.func(args) or 0)
    except USER_ERRORS as exc:
        if isinstance(exc, BrokenPipeError):  # stdout's reader left: entry() ends quietly
            raise
        print(f"{prog}: error: {_said(exc, where, origins)}", file=sys.stderr)
        return 2
    except Exception as exc:  # memory ran out: most often a size given too large
        if not _out_of_memory(exc):
            raise
        given = _integers_given(parser, args)
        hint = f"; the integers given, largest first: {', '.join(given[:3])}" if given else ""
        said = _one_line(exc)  # Python's own MemoryError often says nothing
        print(f"{prog}: error: out of memory{f' ({said})' if said else ''}{hint}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        # only a trainer raises it: without one, importing it (and Lightning)
        # here met the import a Ctrl-C at start-up had cut ('partially
        # initialized module'), a traceback and exit code 1
        trainer = sys.modules.get("pyg_fusion.training.trainer")
        kept = _interrupted_note(parser, args, start)
        terminated = trainer is not None and isinstance(exc, trainer.TrainingTerminated)
        print(f"{prog}: {'terminated (SIGTERM)' if terminated else 'interrupted'}{kept}",
              file=sys.stderr)
        return 143 if terminated else 130  # the shell's codes of a SIGTERM and a SIGINT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
