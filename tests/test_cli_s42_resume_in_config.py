"""segment / translate train's --resume (continue the interrupted run in
--out) is an instruction to one run, as --force-reload is: a --config file's
`resume: true` was taken, left out of --print-config and could not be undone
on the command line (there is no --no-resume). It is refused in a config now,
one line; compare's and sweep's resume, a setting with --no-resume, stays."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("task", ["segment", "translate"])
def test_image_trains_resume_is_refused_in_a_config(tmp_path, capsys, task):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("resume: true\n")
    assert main([task, "train", "--config", str(cfg), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion {task} train: error: --config {cfg}: 'resume' is no setting of a run "
        f"but an instruction to one: give --resume on the command line\n")
    assert not (tmp_path / "o").exists()


def test_compares_resume_is_still_a_setting_of_a_config(tmp_path, capsys):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("resume: true\n")
    assert main(["compare", "--config", str(cfg), "--out", str(tmp_path / "o"),
                 "--print-config"]) == 0
    assert "resume: true" in capsys.readouterr().out.splitlines()
