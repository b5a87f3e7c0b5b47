"""other_task gives the remedy whole, its verb with its command: load_lightning
found the verb by parsing the command text that other_task had made (whether
it held " evaluate`"), two places for one fact."""
import pytest
import torch

from pyg_fusion._loading import load_lightning, other_task
from pyg_fusion.training.segmentation import SegmentationModule

GRAPH = {"config": {"method": "lego", "dataset": "digits"}}
TRANSLATE = {"modalities": ["shade"], "ngf": 2, "num_downs": 3}


@pytest.mark.parametrize("hp, command, remedy", [
    (GRAPH, "evaluate", "evaluate it with `pyg-fusion evaluate`"),
    (GRAPH, "predict", "evaluate it with `pyg-fusion evaluate`"),  # train's have no predict
    (TRANSLATE, "evaluate", "evaluate it with `pyg-fusion translate evaluate` (or `pyg-fusion "
     "evaluate --task translate`)"),
    (TRANSLATE, "predict", "predict with `pyg-fusion translate predict`"),
])
def test_other_task_names_the_remedy_whole(hp, command, remedy):
    what = "`pyg-fusion train`" if hp is GRAPH else "the translate task"
    assert other_task(hp, "segment", command) == (what, remedy)


def test_load_lightning_says_the_remedy_of_other_task(tmp_path):
    path = tmp_path / "t.ckpt"
    torch.save({"state_dict": {}, "hyper_parameters": TRANSLATE}, path)
    with pytest.raises(ValueError) as info:
        load_lightning(SegmentationModule, path, what="--checkpoint", task="segment",
                       command="predict")
    assert str(info.value) == (f"--checkpoint: {path} is a checkpoint of the translate task, "
                               f"not of the segment task; predict with `pyg-fusion translate "
                               f"predict`")
