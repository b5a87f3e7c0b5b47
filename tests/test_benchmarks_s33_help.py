"""What ``python benchmarks/<script>.py --help`` tells a user: every option
with a default says it, in the form the flag is typed."""
import argparse
import os

import pytest
from benchmark_scripts import ROOT, load_benchmark

from pyg_fusion.cli._parser import _Parser

SCRIPTS = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, "benchmarks"))
                 if name.endswith(".py") and not name.startswith("_"))


def _help(script, monkeypatch, capsys):
    """The printed ``--help`` of ``script`` and the parser that printed it."""
    seen = []
    format_help = _Parser.format_help

    def record(self):
        seen.append(self)
        return format_help(self)
    monkeypatch.setattr(_Parser, "format_help", record)
    with pytest.raises(SystemExit) as done:
        load_benchmark(script).main(["--help"])
    assert done.value.code == 0
    return capsys.readouterr().out, seen[-1]


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_option_with_a_default_says_it_in_help(script, monkeypatch, capsys):
    # before: argparse printed nothing after an option without help text, so
    # most flags of the scripts (--repeats, --sizes, --out, --epochs ...) hid their default
    text, parser = _help(script, monkeypatch, capsys)
    flat = "".join(text.split())  # argparse wraps lines, also after a hyphen
    for action in parser._actions:
        # a flag (no value) says none: --progress's dest default is --no-progress's
        if (not action.option_strings or action.help == argparse.SUPPRESS or action.nargs == 0
                or any(action.default is v for v in (None, False, argparse.SUPPRESS))):
            continue
        said = "".join(parser._get_formatter()._format_action(action).split())
        assert "(default" in said, (script, said)
        assert said in flat, (script, said)


def test_a_list_default_is_shown_as_it_is_typed(monkeypatch, capsys):
    text, _ = _help("knn_balance", monkeypatch, capsys)
    flat = " ".join(text.split())
    assert "--probes PROBES [PROBES ...] (default: 10 12 14 16)" in flat
    # --seeds in pyg-fusion's format, as the ablations' (s35)
    assert "--seeds SEEDS [SEEDS ...] '0,1,2', '0..2' or '0 1 2' (default: 100,101)" in flat
    text, _ = _help("translation_ablation", monkeypatch, capsys)
    flat = " ".join(text.split())
    assert "'0,1,2', '0..2' or '0 1 2' (default: 0,1,2)" in flat and "[0, 1, 2]" not in flat
    assert "--data-seed DATA_SEED (default: 0)" in flat
    text, _ = _help("locality_orders", monkeypatch, capsys)
    assert "(default: none)" in " ".join(text.split())


@pytest.mark.parametrize("script", SCRIPTS)
def test_no_default_output_is_a_recorded_result(script, monkeypatch, capsys):
    # before: translation_ablation.py's --out was benchmarks/results/translation,
    # so a trial run (--epochs 1) replaced the results README quotes
    _, parser = _help(script, monkeypatch, capsys)
    for action in parser._actions:
        if isinstance(action.default, str):
            assert not os.path.normpath(action.default).startswith(
                os.path.join("benchmarks", "results")), (script, action.dest)


@pytest.mark.parametrize("script", SCRIPTS)
def test_default_folders_are_under_the_ignored_runs(script, monkeypatch, capsys):
    # before: knn_indexes.py digits read its --root data/digits, so a run from
    # the repository left an untracked dataset cache in it (.gitignore has runs/)
    _, parser = _help(script, monkeypatch, capsys)
    for action in parser._actions:
        if action.dest in ("out", "root", "data_root", "log_dir") and isinstance(
                action.default, str):
            assert action.default.startswith("runs/"), (script, action.dest, action.default)
