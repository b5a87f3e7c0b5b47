"""The evaluate commands' data flags take the checkpoint's value when not
given, and each flag's help says so, as for every other default."""
import argparse
import re

import pytest

from pyg_fusion.cli import build_parser


def _command(*names):
    parser = build_parser()
    for name in names:
        parser = next(a for a in parser._actions
                      if isinstance(a, argparse._SubParsersAction)).choices[name]
    return parser


@pytest.mark.parametrize("names, group", [
    (("evaluate",), "dataset"),
    (("segment", "evaluate"), "The RGB-D scenes (NYUDv2 layout or the seeded synthetic scenes)"),
])
def test_every_data_flag_of_evaluate_names_the_checkpoints_default(names, group):
    """pyg-fusion evaluate --help gave --root, --label-rate, --standardize...
    no default at all (they are the checkpoint's, as its description says),
    where segment and translate evaluate say '(default: the checkpoint's)'."""
    parser = _command(*names)
    flags = [a for g in parser._action_groups if g.title == group for a in g._group_actions
             if a.dest != "force_reload"]
    assert len(flags) >= 10
    for a in flags:
        assert a.default is None, a.option_strings
        assert re.sub(r"\s+", " ", a.help).endswith("(default: the checkpoint's)"), \
            a.option_strings
    assert vars(parser.parse_args(["--checkpoint", "c.ckpt"])).keys() >= {a.dest for a in flags}
