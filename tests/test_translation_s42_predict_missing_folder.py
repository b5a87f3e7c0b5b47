"""translate predict (scenes without targets) named a missing input folder as if a target
folder were expected too and --modalities could change it: 'expected one folder per
modality and one for the target under ... (pyg-fusion: --data, --modalities)', where
predict reads no target and takes its modalities from the checkpoint (it has no
--modalities). The message names the folders expected and --data alone."""
import numpy as np
import pytest
from PIL import Image

from pyg_fusion.datasets import TaskonomyFolder


def test_a_missing_input_folder_of_scenes_without_targets(tmp_path):
    (tmp_path / "shade").mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "shade" / "a.png")
    with pytest.raises(FileNotFoundError,
                       match=r"^modality folder '.*zbuf' does not exist: expected one folder "
                             r"per modality \('shade', 'zbuf'\) under '.*', which holds "
                             r"'shade' \(pyg-fusion: --data\)$"):
        TaskonomyFolder(str(tmp_path), ["shade", "zbuf"], target=None, image_size=8)
