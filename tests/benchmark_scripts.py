"""Loads a script of ``benchmarks/`` as a module, so that tests can call its
functions: the scripts are not a package (they run as ``python
benchmarks/<name>.py``)."""
import importlib.util
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_benchmark(name: str):
    """``benchmarks/<name>.py``, executed as a fresh module."""
    spec = importlib.util.spec_from_file_location(
        f"{name}_bench", os.path.join(ROOT, "benchmarks", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def refused(capsys, script: str, argv: list[str]) -> str:
    """``benchmarks/<script>.py``'s ``main(argv)`` refuses as a user error:
    exit code 2, nothing on stdout, one line on stderr, which it returns."""
    with pytest.raises(SystemExit) as err:
        load_benchmark(script).main(argv)
    assert err.value.code == 2
    out, text = capsys.readouterr()
    assert out == "" and len(text.splitlines()) == 1
    return text


def fake_workers(monkeypatch, bench, row, stop_after: int | None = None) -> None:
    """Runs ``bench``'s worker commands (those with ``--worker``) as a
    process that prints ``row(cmd)`` as its JSON line, and with ``stop_after``
    a Ctrl-C (:class:`KeyboardInterrupt`) in the worker after that many; the
    other commands (the machine's record) run as they are."""
    run, calls = subprocess.run, []

    def worker_process(cmd, **kwargs):
        if "--worker" not in cmd:
            return run(cmd, **kwargs)
        calls.append(cmd)
        if stop_after is not None and len(calls) > stop_after:
            raise KeyboardInterrupt
        return subprocess.CompletedProcess(cmd, 0, stdout=json.dumps(row(cmd)) + "\n")

    monkeypatch.setattr(bench.subprocess, "run", worker_process)
