"""The help formatter of the command line: argparse's, with each option's
default appended once, and only when it says something."""
from __future__ import annotations

import argparse


class HelpFormatter(argparse.HelpFormatter):
    """Appends ``(default: X)`` to an option's help, unless the help already
    states its default (it contains ``(default``), the option is a flag (it
    takes no value: its dest's default is another flag's too, as
    ``--progress``'s, ``True`` where ``--no-progress`` is) or has no default
    (``False`` / ``None``), or it is positional. A default of ``0`` is shown
    (tested by identity, not ``in``, since ``0 == False``)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (not action.option_strings or "(default" in text or action.default is None
                or action.default is False or action.default == argparse.SUPPRESS
                or action.nargs == 0):
            return text
        return text + " (default: %(default)s)"


class RawDescriptionHelpFormatter(HelpFormatter, argparse.RawDescriptionHelpFormatter):
    """:class:`HelpFormatter` keeping the lines of the description and the
    epilog as written (``plot``'s examples): argparse's own raw formatter
    appended no defaults, so an option whose help does not say its default
    (``plot --max-videos``) showed none."""
