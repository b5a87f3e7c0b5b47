"""``translate train --data ''`` (an unset shell variable) printed its config
with --print-config, while the run said "--data folder '' does not exist":
both refuse an empty --data in one line, before any work, as the Python API
does."""
import pytest

from pyg_fusion.cli import main

MESSAGE = "--data must be 'synthetic' or a folder, got an empty path"


@pytest.mark.parametrize("data", ["", " "])
@pytest.mark.parametrize("print_config", [True, False])
def test_an_empty_data_folder_is_refused(tmp_path, capsys, data, print_config):
    argv = ["translate", "train", "--data", data, "--root", str(tmp_path / "data")]
    argv += ["--print-config"] if print_config else ["--out", str(tmp_path / "out"),
                                                     "--no-progress", "--threads", "1"]
    assert main(argv) == 2
    assert capsys.readouterr().err == f"pyg-fusion translate train: error: {MESSAGE}\n"
    assert not any(tmp_path.iterdir())


def test_the_python_api_refuses_it_too(tmp_path):
    from pyg_fusion.experiments.image_config import (TranslateDataConfig, TranslateModelConfig,
                                                     TranslateTrainDataConfig)
    from pyg_fusion.experiments.translate_run import run_translate
    with pytest.raises(ValueError, match=MESSAGE):
        run_translate(TranslateDataConfig(data="", root=str(tmp_path / "data")),
                      TranslateTrainDataConfig(), TranslateModelConfig(), str(tmp_path / "out"),
                      progress=False)
    assert not any(tmp_path.iterdir())
