"""pyg-fusion plot --help used argparse's raw formatter, which appends no
defaults: --max-videos (8) said none, unlike every other command's options.
plot now uses the CLI's formatter (its epilog's lines kept as written)."""
import argparse

from pyg_fusion.cli import build_parser


def _plot():
    return build_parser()._subparsers._group_actions[0].choices["plot"]


def test_every_plot_option_with_a_default_says_it():
    plot = _plot()
    formatter = plot._get_formatter()
    for a in plot._actions:
        if a.option_strings and a.default not in (None, False, argparse.SUPPRESS):
            assert "(default" in formatter._expand_help(a), a.option_strings
    text = " ".join(plot.format_help().split())
    assert "--max-videos MAX_VIDEOS anomaly-scores: videos drawn (default: 8)" in text
    assert "(default 10) (default" not in text  # said once


def test_the_epilog_keeps_its_lines():
    assert "\n  pq-sensitivity  --input SWEEP.json" in _plot().format_help()
