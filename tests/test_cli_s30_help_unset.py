"""An option whose default is None said so in Python's words in --help
(``--alpha ... (default: None)``, ``--k ... (default: node 10, vad None)``):
the help says what the default means for that flag instead, as the
option's ``unset`` metadata names it, and the docstring of its config too."""
import argparse
import re

import pytest

from pyg_fusion.cli import build_parser
from pyg_fusion.specs.components import ObjectiveConfig


def _parsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield sub
                yield from _parsers(sub)


def test_no_help_names_python_none():
    for sub in _parsers(build_parser()):
        text = sub.format_help()
        assert not re.search(r"\bNone\b", text), (sub.prog, re.findall(r".{60}\bNone\b.{10}",
                                                                       " ".join(text.split())))


@pytest.mark.parametrize("dest, ending", [
    ("alpha", "(default: all entries)"),
    ("k", "(default: node 10, vad all segments)"),
    ("patience", "(default: node never, vad 10)"),
    ("branch_dropout", "(default: node --dropout, vad 0.1)"),
    ("hidden_channels", "(default: node 64, vad the head's own)"),
    ("operator_lr", "(default: --lr)"),
])
def test_unset_defaults_say_what_they_mean(dest, ending):
    sub = next(s for s in _parsers(build_parser()) if s.prog == "pyg-fusion train")
    helps = {a.dest: " ".join(a.help.split()) for a in sub._actions if a.help}
    assert helps[dest].endswith(ending)


def test_docstring_says_what_none_means():
    assert "(default: :obj:`None`: all entries)" in " ".join(ObjectiveConfig.__doc__.split())
