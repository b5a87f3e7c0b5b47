"""run_translate given a comma-separated setting as a list, as a Python user writes names
(TranslateDataConfig(modalities=['shade', 'z']), TranslateTrainDataConfig(depth_folders=['z'])),
failed with a traceback, "'list' object has no attribute 'split'". It is a TypeError naming
the field and what it takes, before any work."""
import pytest

from pyg_fusion.experiments.image_config import (TranslateDataConfig, TranslateModelConfig,
                                                 TranslateTrainDataConfig)
from pyg_fusion.experiments.translate_run import run_translate

from translation_folders import translation_folder


@pytest.mark.parametrize("data, splits, field", [
    ({"modalities": ["shade", "depth"]}, {}, "TranslateDataConfig.modalities"),
    ({"modalities": "shade,depth"}, {"depth_folders": ["depth"]},
     "TranslateTrainDataConfig.depth_folders"),
])
def test_a_list_is_named_before_any_work(tmp_path, data, splits, field):
    folder = translation_folder(tmp_path / "data", size=16)
    with pytest.raises(TypeError, match=rf"^{field} must be a str of comma-separated names "
                                        rf"\(e.g. 'shade,depth'\), got list \["):
        run_translate(TranslateDataConfig(data=str(folder), image_size=16, **data),
                      TranslateTrainDataConfig(**splits), TranslateModelConfig(epochs=1),
                      str(tmp_path / "run"), progress=False)
    assert not (tmp_path / "run").exists()
