"""pyg-fusion with no command printed the whole help on stdout and exited 2,
an error with no line saying so (as 'pyg-fusion segment' did before
b75289f): one line on stderr, exit 2, as 'pyg-fusion translate' answers."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("argv, missing", [([], "COMMAND"), (["segment"], "ACTION"),
                                           (["translate"], "ACTION")])
def test_a_missing_command_is_one_line(capsys, argv, missing):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    printed = capsys.readouterr()
    prog = " ".join(["pyg-fusion", *argv])
    assert printed.out == ""
    assert printed.err == (f"{prog}: error: the following arguments are required: {missing} "
                           f"(see {prog} --help)\n")


def test_help_still_prints_the_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "COMMAND" in capsys.readouterr().out
