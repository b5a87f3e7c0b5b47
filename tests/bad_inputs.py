"""The catalogue of bad inputs: each case is a call that must either raise a
clear error (the exception type, and a message naming the argument or file)
or show a defined behaviour (a check that passes). The test modules
``test_errors_*.py`` run every case; ``python tests/bad_inputs.py`` runs them
all outside pytest and prints the count of cases by area and outcome
(``CATALOGUE_TIMEOUT=SECONDS`` stops a case that runs on).

Outcomes: ``clear`` (the expected type, the message matches), ``defined``
(the behaviour check passes), ``obscure`` (another exception, or a message
that does not name the argument or file), ``silent`` (no error where one is
due, or a defined check that fails).
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Case:
    """``fn()`` must raise ``exc`` with a message matching ``match``."""
    id: str
    fn: Callable[[], object]
    exc: type
    match: str


@dataclass
class Defined:
    """``fn()`` checks a defined behaviour with asserts."""
    id: str
    fn: Callable[[], object]


@dataclass
class CLICase:
    """``main(argv)`` must print one line ``pyg-fusion <command>: error: ...``
    matching ``match`` and return (or exit with) 2. ``{tmp}`` in the argv is
    a fresh folder; ``setup(tmp)`` may write files there first."""
    id: str
    argv: list[str]
    match: str
    setup: Callable[[str], None] | None = None
    command: str = field(default="")

    def __post_init__(self):
        nested = self.argv[0] in ("segment", "translate")
        self.command = self.command or " ".join(self.argv[:2 if nested else 1])


def case_tests(cases: list) -> tuple[Callable, Callable]:
    """The two pytest tests of one area's catalogue (a module binds them to
    ``test_*`` names): every :class:`Case` raises its clear error, every
    :class:`Defined` check passes."""
    import pytest

    @pytest.mark.parametrize("case", [c for c in cases if isinstance(c, Case)],
                             ids=lambda c: c.id)
    def test_clear_error(case):
        with pytest.raises(case.exc, match=case.match):
            case.fn()

    @pytest.mark.parametrize("case", [c for c in cases if isinstance(c, Defined)],
                             ids=lambda c: c.id)
    def test_defined_behaviour(case):
        case.fn()

    return test_clear_error, test_defined_behaviour


def run_cli(case: CLICase, tmp: str) -> tuple[int | None, str, BaseException | None]:
    """``(exit code, stderr, escaped exception)`` of one CLI case."""
    from pyg_fusion.cli import main
    if case.setup is not None:
        case.setup(tmp)
    argv = [a.replace("{tmp}", tmp) for a in case.argv]
    err, out = io.StringIO(), io.StringIO()
    code, escaped = None, None
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
        except Exception as exc:  # a traceback: obscure
            escaped = exc
    return code, err.getvalue(), escaped


def cli_outcome(case: CLICase, tmp: str) -> tuple[str, str]:
    code, err, escaped = run_cli(case, tmp)
    if escaped is not None:
        return "obscure", f"traceback: {type(escaped).__name__}: {escaped}"
    if code == 0:
        return "silent", "exit code 0"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    prefix = f"pyg-fusion {case.command}: error: "
    if code != 2 or len(lines) != 1 or not lines[0].startswith(prefix) or \
            not re.search(case.match, lines[0]):
        return "obscure", f"exit {code}, stderr {err!r}"
    return "clear", lines[0]


class _Timeout(BaseException):
    pass


def outcome(case, timeout: int = 0) -> tuple[str, str]:
    """Runs one case: ``(outcome, detail)``; with ``timeout`` (seconds), a
    case still running then (e.g. a command training instead of rejecting
    its input) is stopped and counted as silent."""
    def stop(*_):
        raise _Timeout
    old = signal.signal(signal.SIGALRM, stop) if timeout else None
    signal.alarm(timeout)
    try:
        return _outcome(case)
    except _Timeout:
        return "silent", f"no error after {timeout} s (still running)"
    finally:
        signal.alarm(0)
        if old is not None:
            signal.signal(signal.SIGALRM, old)


def _outcome(case) -> tuple[str, str]:
    if isinstance(case, CLICase):
        with tempfile.TemporaryDirectory() as tmp:
            return cli_outcome(case, tmp)
    if isinstance(case, Defined):
        try:
            case.fn()
        except AssertionError as exc:
            return "silent", f"defined check failed: {exc}"
        except Exception as exc:
            return "obscure", f"{type(exc).__name__}: {exc}"
        return "defined", ""
    try:
        case.fn()
    except case.exc as exc:
        if re.search(case.match, str(exc)):
            return "clear", str(exc)
        return "obscure", f"message {str(exc)!r} does not match {case.match!r}"
    except Exception as exc:
        return "obscure", f"{type(exc).__name__} instead of {case.exc.__name__}: {exc}"
    return "silent", "no error"


def main() -> int:
    import importlib
    import warnings
    warnings.filterwarnings("ignore")
    import torch
    torch.set_num_threads(1)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    # the test modules use the classes of the module "bad_inputs", not those
    # of this script's "__main__"
    lib = importlib.import_module("bad_inputs")
    # every catalogue: an area split into files of its own stays counted
    here = os.path.dirname(os.path.abspath(__file__))
    areas = sorted(name[len("test_errors_"):-len(".py")] for name in os.listdir(here)
                   if name.startswith("test_errors_") and name.endswith(".py"))
    kinds = ["clear", "defined", "obscure", "silent"]
    rows, bad = [], []
    for area in areas:
        mod = importlib.import_module(f"test_errors_{area}")
        counts = dict.fromkeys(kinds, 0)
        for case in mod.catalogue():
            kind, detail = lib.outcome(case, int(os.environ.get("CATALOGUE_TIMEOUT", 0)))
            counts[kind] += 1
            if kind in ("obscure", "silent"):
                bad.append(f"{area}/{case.id}: {kind}: {detail}")
        rows.append((area, counts))
    print("| area | " + " | ".join(kinds) + " | total |")
    print("|---|" + "---:|" * (len(kinds) + 1))
    for area, c in rows:
        print(f"| {area} | " + " | ".join(str(c[k]) for k in kinds) + f" | {sum(c.values())} |")
    total = {k: sum(c[k] for _, c in rows) for k in kinds}
    print("| all | " + " | ".join(str(total[k]) for k in kinds) + f" | {sum(total.values())} |")
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
