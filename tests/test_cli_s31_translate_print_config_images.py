"""translate train --print-config printed configs that the run refuses before
any scene: a --modalities name the synthetic scenes lack ('dept'), a --target
other than theirs ('rgb'), a --target among the --modalities. check_translate_train,
which the run and --print-config call, makes those checks (check_scene_images)."""
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("print_config", [True, False])
@pytest.mark.parametrize("flags, message", [
    (["--modalities", "shade,dept"], "synthetic data has no modality ['dept']; choose from "
                                     "['depth', 'normal', 'shade', 'edge']"),
    (["--target", "rbg"], "synthetic data has only the target 'rgb'"),
    (["--target", "shade"], "--target 'shade' is also one of --modalities 'shade,depth': give "
                            "a --target that is not an input, or leave it out of --modalities"),
])
def test_translate_train_refuses_images_the_scenes_lack(tmp_path, capsys, flags, message,
                                                         print_config):
    argv = ["translate", "train", *flags, "--root", str(tmp_path / "data"), "--threads", "1"]
    argv += ["--print-config"] if print_config else ["--out", str(tmp_path / "out")]
    assert main(argv) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err == f"pyg-fusion translate train: error: {message}\n"
    assert list(tmp_path.iterdir()) == []
