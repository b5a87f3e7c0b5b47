"""--help sent to a pipe or a file (not a terminal) said '--progress show progress
bars even when stdout or stderr is not a terminal (default: True)': the
default of the dest both flags share (no_progress, True off a terminal), read
as if bars were shown by default. A flag's help names no such default."""
import re

import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("command", [["train"], ["segment", "train"], ["translate", "evaluate"],
                                     ["demo"]])
def test_progress_help_names_no_default(capsys, command):
    with pytest.raises(SystemExit):
        main([*command, "--help"])  # captured: not a terminal, bars hidden
    text = " ".join(capsys.readouterr().out.split())
    said = re.search(r"--progress show progress bars even when stdout or stderr is not a "
                     r"terminal(?P<more> \(default[^)]*\))?", text)
    assert said is not None and said["more"] is None, said and said[0]
    assert "(default: True)" not in text
