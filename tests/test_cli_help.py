"""The command line's help is cheap (no heavy import while the parsers are
built; the time itself is measured by benchmarks/cli_startup.py) and names
each default once."""
import os
import re
import subprocess
import sys

import pytest

from pyg_fusion.cli import COMMANDS, build_parser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEAVY = ("torch", "torch_geometric", "lightning", "matplotlib", "numpy")


def test_building_the_parsers_imports_nothing_heavy():
    code = ("import sys; from pyg_fusion.cli import build_parser; build_parser(); "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "", f"imported while building the parsers: {out}"


def _subparsers(parser):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            return action.choices
    return {}


@pytest.mark.parametrize("name", COMMANDS)
def test_help_states_each_default_once(name):
    parser = _subparsers(build_parser())[name]
    parsers = [parser, *_subparsers(parser).values()]
    for p in parsers:
        text = re.sub(r"\s+", " ", p.format_help())
        # one option's help runs from its flag to the next flag
        for chunk in re.split(r" (?=--?[a-z])", text):
            assert chunk.count("(default") <= 1, f"{p.prog}: {chunk}"


def test_help_shows_a_default_of_zero_once():
    # 0 == False: the formatter must not take a default of 0 for "no default"
    text = re.sub(r"\s+", " ", _subparsers(_subparsers(build_parser())["segment"])["train"]
                  .format_help())
    assert "--data-seed DATA_SEED synthetic generator seed (default: 0)" in text
    assert ("--workers WORKERS data loader workers (another count is another run: each "
            "worker draws its own crops and flips); at most 4 x the CPUs this process may "
            "use (default: 0)") in text
    assert "--light Light-Weight RefineNet decoder --" in text  # a flag: no default


def test_help_shows_defaults_as_typed():
    # a default is shown in the syntax users type (1..3), never as a Python list
    parser = build_parser()
    sweep = _subparsers(parser)["sweep"]
    text = re.sub(r"\s+", " ", sweep.format_help())
    assert "--p P [P ...] values of P, e.g. 1..9 or 1,2,4 (or 1 2 4) (default: 1..3)" in text
    assert "--q Q [Q ...] values of Q, e.g. 1..9 or 1,2,4 (or 1 2 4) (default: 1..3)" in text
    args = parser.parse_args(["sweep"])
    assert args.p == [1, 2, 3] and args.q == [1, 2, 3]

    def walk(p):
        yield p
        for sub in _subparsers(p).values():
            yield from walk(sub)
    for p in walk(parser):
        assert "(default: [" not in p.format_help(), p.prog


def test_threads_is_one_flag_with_one_meaning():
    from pyg_fusion.cli._process import thread_count

    def walk(p):
        yield p
        for sub in _subparsers(p).values():
            yield from walk(sub)

    found = {}
    for p in walk(build_parser()):
        for a in p._actions:
            if "--threads" in a.option_strings:
                found[p.prog] = a
    # the graph commands and both image tasks declare it, all the same way
    assert {"pyg-fusion train", "pyg-fusion demo", "pyg-fusion segment train",
            "pyg-fusion translate train"} <= set(found)
    assert all(a.type is thread_count for a in found.values())
    assert {a.help.split(" (default")[0] for a in found.values()} == {
        "torch CPU threads for this command"}
    # one default for every task, graph and image alike
    assert {a.default for a in found.values()} == {1}
