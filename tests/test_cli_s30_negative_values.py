"""A flag's value that starts with "-" and reads as a number (``-inf``,
``-1e-3``) is the flag's value, judged by its type: argparse took it for a
flag unless it was a plain negative number (``-1``, ``-.5``)."""
import pytest
import yaml

from pyg_fusion.cli import main


@pytest.mark.parametrize("flags, message", [
    (["--alpha", "-inf"], "argument --alpha: expected a finite number, got -inf"),
    (["--alpha", "-Infinity"], "argument --alpha: expected a finite number, got -inf"),
    (["--alpha", "-nan"], "argument --alpha: expected a finite number, got nan"),
    (["--lr", "-1e-3"], "argument --lr: expected a positive finite number, got -0.001"),
])
def test_a_non_finite_or_negative_number_is_judged_by_the_flags_type(capsys, flags, message):
    """--alpha -inf said "argument --alpha: expected one argument" (as if no
    value had been given), where --alpha=-inf said that it expects a finite
    number."""
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--dataset", "synthetic-vad", *flags, "--print-config"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (f"pyg-fusion train: error: {message} (see pyg-fusion "
                                       f"train --help)\n")


def test_a_negative_number_in_any_notation_is_a_value(capsys):
    for text, value in (("-1e3", -1000.0), ("-1.5E-2", -0.015), ("-.5", -0.5), ("-2", -2.0)):
        assert main(["train", "--dataset", "synthetic-vad", "--alpha", text,
                     "--print-config"]) == 0
        assert yaml.safe_load(capsys.readouterr().out)["objective"]["alpha"] == value


def test_a_flag_after_a_flag_that_takes_a_value_is_still_refused(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--alpha", "--lr", "0.1", "--print-config"])
    assert "argument --alpha: expected one argument" in capsys.readouterr().err
