"""VADFeatures' docstring said that concatenating frame_gt over the dataset
gives the public concatenated ground truth; with crops="all" every crop's
graph holds its video's, so that was each video's frames once per crop. The
docstring says to take the graphs of one crop."""
import torch

from pyg_fusion.datasets import SyntheticVAD, VADFeatures


def test_one_crops_graphs_give_the_concatenated_ground_truth(tmp_path):
    kw = dict(num_videos=(2, 3), snippets=(8, 10), num_segments=4, num_crops=2, log=False)
    mean = SyntheticVAD(str(tmp_path), "test", **kw)
    every = SyntheticVAD(str(tmp_path), "test", crops="all", **kw)
    assert len(every) == 2 * len(mean) and len(every.frame_gt) == 2 * len(mean.frame_gt)
    assert torch.equal(every[every.crop == 0].frame_gt, mean.frame_gt)
    assert 'with ``crops="all"``, over\n      the graphs of one crop' in VADFeatures.__doc__
