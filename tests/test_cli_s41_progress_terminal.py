"""Whether the CLI shows progress bars follows whether its output (stderr,
where tqdm draws, and stdout, where Lightning draws) is a terminal:
output sent to a file, a pipe, nohup or a CI log got every redraw of the
project's and Lightning's bars (carriage-return lines) unless --no-progress
was given."""
import io
import sys

import pytest

from pyg_fusion.cli import build_parser, main


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("argv", [["train", "--dataset", "synthetic-vad"],
                                  ["segment", "train"], ["translate", "evaluate",
                                                         "--checkpoint", "x.ckpt"]])
def test_the_default_follows_whether_the_output_is_a_terminal(argv, monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a file, a pipe
    monkeypatch.setattr(sys, "stdout", _Terminal())
    assert build_parser().parse_args(argv).no_progress is True
    assert build_parser().parse_args([*argv, "--progress"]).no_progress is False
    monkeypatch.setattr(sys, "stderr", _Terminal())
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # pyg-fusion ... > log.txt
    assert build_parser().parse_args(argv).no_progress is True
    monkeypatch.setattr(sys, "stdout", _Terminal())
    assert build_parser().parse_args(argv).no_progress is False
    assert build_parser().parse_args([*argv, "--no-progress"]).no_progress is True


def test_a_run_into_a_file_writes_no_bars(tmp_path, capsys):
    # before: Lightning's and the run's bars in the captured (non-terminal) stderr
    common = ["train", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
              "--num-segments", "8", "--method", "lego", "--epochs", "1"]
    assert main([*common, "--out", str(tmp_path / "a")]) == 0
    out, err = capsys.readouterr()
    assert "\r" not in out + err and "it/s" not in out + err, out + err
    assert main([*common, "--out", str(tmp_path / "b"), "--progress"]) == 0
    assert "\r" in capsys.readouterr().out  # asked for: shown (Lightning's, on stdout)
