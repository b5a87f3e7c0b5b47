"""Ctrl-C while a command starts (importing Lightning takes seconds on a
loaded machine): the one line and exit code 130, as later."""
import json
import sys

from pyg_fusion.cli import main


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_before_any_trainer_is_the_one_line_and_130(tmp_path, capsys, monkeypatch):
    # before: the handler imported training.trainer, whose Lightning import the
    # Ctrl-C had cut ("partially initialized module 'lightning.fabric'"): a
    # traceback and exit code 1. A None entry makes that import fail alike.
    import pyg_fusion.visualize as V
    monkeypatch.setattr(V, "plot_anomaly_scores", _interrupt)
    monkeypatch.setitem(sys.modules, "pyg_fusion.training.trainer", None)
    (tmp_path / "s.json").write_text(json.dumps({"scores": {"v": [0.1, 0.2]}}))
    argv = ["plot", "anomaly-scores", "--input", str(tmp_path / "s.json"), "--out",
            str(tmp_path / "s.png")]
    assert main(argv) == 130
    assert capsys.readouterr().err == f"pyg-fusion plot: interrupted; {tmp_path / 's.png'} " \
                                      f"was not written\n"
