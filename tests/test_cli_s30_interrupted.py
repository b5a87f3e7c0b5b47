"""What an interrupted command says it leaves is true: plot's --out is a
figure file, written whole or not at all (it said "what finished is under
x.png"), and a run interrupted before it wrote anything has no finished
part to point to."""
import json

from pyg_fusion.cli import main


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_an_interrupted_plot_says_its_figure_was_not_written(tmp_path, capsys, monkeypatch):
    import pyg_fusion.visualize as V
    monkeypatch.setattr(V, "plot_anomaly_scores", _interrupt)
    (tmp_path / "s.json").write_text(json.dumps({"scores": {"v": [0.1, 0.2]}}))
    argv = ["plot", "anomaly-scores", "--input", str(tmp_path / "s.json"), "--out",
            str(tmp_path / "s.png")]
    assert main(argv) == 130
    assert capsys.readouterr().err == f"pyg-fusion plot: interrupted; {tmp_path / 's.png'} " \
                                      f"was not written\n"
    assert list(tmp_path.iterdir()) == [tmp_path / "s.json"]
    (tmp_path / "s.png").write_bytes(b"earlier")
    assert main(argv) == 130
    assert capsys.readouterr().err.endswith("s.png was not replaced\n")
    assert (tmp_path / "s.png").read_bytes() == b"earlier"


def test_a_run_interrupted_before_it_wrote_says_so(tmp_path, capsys, monkeypatch):
    import pyg_fusion.experiments.run as run
    monkeypatch.setattr(run, "load_data", _interrupt)
    out = tmp_path / "out"
    assert main(["train", "--root", str(tmp_path / "data"), "--out", str(out),
                 "--no-progress"]) == 130
    assert capsys.readouterr().err == f"pyg-fusion train: interrupted; nothing was written " \
                                      f"to {out}\n"
    assert not out.exists()


def test_an_interrupted_print_config_is_a_line(capsys, monkeypatch):
    """Ctrl-C while --print-config checked the config (seconds: it imports
    the library) ended in a traceback."""
    import pyg_fusion.cli._config_flags as flags
    monkeypatch.setattr(flags, "print_config", _interrupt)
    assert main(["train", "--print-config"]) == 130
    assert capsys.readouterr() == ("", "pyg-fusion train: interrupted\n")
