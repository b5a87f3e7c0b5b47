"""The CLI takes no abbreviated flag: with argparse's prefix matching,
``pyg-fusion train --meth lego`` ran as ``--method lego`` and ``--branch-drop
0.3`` as ``--branch-dropout 0.3``, so a flag added later that shares the
prefix would silently change what such a command means."""
import argparse

import pytest

from bad_inputs import CLICase, cli_outcome
from pyg_fusion.cli import build_parser

CASES = [
    CLICase("train: --meth (a prefix of --method)",
            ["train", "--dataset", "synthetic-vad", "--meth", "lego", "--print-config"],
            r"^pyg-fusion train: error: unrecognized arguments: --meth lego "),
    CLICase("compare: --branch-drop (a prefix of --branch-dropout)",
            ["compare", "--dataset", "synthetic-vad", "--branch-drop", "0.3", "--print-config"],
            r"unrecognized arguments: --branch-drop 0\.3 "),
    CLICase("segment train: --epoch (a prefix of --epochs)",
            ["segment", "train", "--epoch", "1", "--print-config"],
            r"unrecognized arguments: --epoch 1 "),
    CLICase("translate train: --lambda-l (a prefix of --lambda-l1)",
            ["translate", "train", "--lambda-l", "10", "--print-config"],
            r"unrecognized arguments: --lambda-l 10 "),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_an_abbreviated_flag_is_a_one_line_error(case, tmp_path):
    kind, detail = cli_outcome(case, str(tmp_path))
    assert kind == "clear", detail


def _parsers(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_parser_of_the_cli_refuses_abbreviations():
    parsers = list(_parsers(build_parser()))
    assert len(parsers) > 10  # the commands and the sub-commands of segment / translate
    assert [p.prog for p in parsers if p.allow_abbrev] == []


def test_a_whole_flag_with_its_value_after_an_equals_sign_still_parses(capsys):
    from pyg_fusion.cli import main
    assert main(["train", "--dataset=synthetic-vad", "--method=lego-row",
                 "--print-config"]) == 0
    assert "method: lego-row" in capsys.readouterr().out
