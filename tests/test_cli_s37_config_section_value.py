"""Two --config / --resume errors named the wrong thing: a train config of
``data: 3`` was called an image command's config, and sweep --resume of a
malformed sweep.partial.json spoke of "records of run_grid"."""
from pyg_fusion.cli import main


def _err(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_a_value_for_the_data_section_says_it_must_be_a_section(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("data: 3\n")
    err = _err(capsys, ["train", "--config", str(cfg), "--print-config"])
    assert f"--config {cfg}: 'data' must be a section of `pyg-fusion train` (a mapping of " \
           f"its settings, as `pyg-fusion train --print-config` writes it), got 3" in err, err
    cfg.write_text("data: nyud\n")  # an image command's setting: named as before
    assert "this is a config of `pyg-fusion segment train`" in _err(
        capsys, ["train", "--config", str(cfg), "--print-config"])


def test_sweep_resume_of_a_malformed_file_names_sweeps_records(tmp_path, capsys):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "sweep.partial.json").write_text('[{"metric": 1}]')
    err = _err(capsys, ["sweep", "--resume", "--out", str(out), "--root", str(tmp_path)])
    assert f"--resume: {out / 'sweep.partial.json'} must be a list of the records sweep " \
           f"writes (each with a metric" in err and "run_grid" not in err, err
