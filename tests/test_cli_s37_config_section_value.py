"""Two --config / --resume errors named the wrong thing: a train config of
``data: 3`` was called an image command's config, and sweep --resume of a
malformed sweep.partial.json spoke of "records of run_grid"."""
from pyg_fusion.cli import main


def _err(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_sweep_resume_of_a_malformed_file_names_sweeps_records(tmp_path, capsys):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "sweep.partial.json").write_text('[{"metric": 1}]')
    err = _err(capsys, ["sweep", "--resume", "--out", str(out), "--root", str(tmp_path)])
    assert f"--resume: {out / 'sweep.partial.json'} must be a list of the records sweep " \
           f"writes (each with a metric" in err and "run_grid" not in err, err
