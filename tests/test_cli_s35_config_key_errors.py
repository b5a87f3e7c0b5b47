"""A value of a --config file that its flag refuses was reported as the
flag's error ('argument --epochs: expected a positive integer, got -1'),
naming a flag that the user's YAML does not spell, not the file and key."""
import pytest

from pyg_fusion.cli import main


def _err(capsys, tmp_path, text, *argv):
    (tmp_path / "c.yaml").write_text(text)
    try:
        rc = main(["train", "--config", str(tmp_path / "c.yaml"), *argv,
                   "--root", str(tmp_path / "data"), "--print-config"])
    except SystemExit as exc:  # argparse's own errors exit
        rc = exc.code
    assert rc == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    return err.removeprefix("pyg-fusion train: error: ").rstrip("\n")


@pytest.mark.parametrize("text, said", [
    ("epochs: -1\n", "epochs: expected a positive integer, got -1"),
    ("trainer: {lr: abc}\n", "lr: expected a positive finite number, got 'abc'"),
    ("data: {label_rate: 2}\n", "label_rate: expected a number in (0, 1], got 2.0"),
    ("dataset: foo\n", "dataset: invalid choice: 'foo'"),
    ("seeds: [a]\n", "seeds: expected integers like"),
    ("views: ['']\n", "views: expected a file, got an empty path"),
    ("views: []\n", "views: expected at least one value, got []"),
])
def test_a_value_the_flag_refuses_names_the_file_and_key(tmp_path, capsys, text, said):
    assert _err(capsys, tmp_path, text).startswith(f"--config {tmp_path / 'c.yaml'}: {said}")


def test_a_setting_refused_after_parsing_names_the_file_and_key(tmp_path, capsys):
    err = _err(capsys, tmp_path, "data: {dataset: digits, num_segments: 8}\n")
    assert err == (f"--num-segments applies to --dataset synthetic-vad / motion-vad / vad, not "
                   f"to digits (--config {tmp_path / 'c.yaml'}: num_segments: 8)")
    # a flag after the file gives the value: the error is the flag's alone
    err = _err(capsys, tmp_path, "data: {dataset: digits, num_segments: 8}\n",
               "--num-segments", "9")
    assert err == "--num-segments applies to --dataset synthetic-vad / motion-vad / vad, not " \
                  "to digits"
    # (a file's own dataset: digits reads its standardize: false as earlier
    # versions recorded it, tests/test_cli_s37_old_standardize.py)
    err = _err(capsys, tmp_path, "standardize: false\n", "--dataset", "digits")
    assert err.endswith(f"leave --no-standardize out (--config {tmp_path / 'c.yaml'}: "
                        f"standardize: false)")
