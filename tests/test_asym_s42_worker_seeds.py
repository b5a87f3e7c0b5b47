"""AsymFusion's training is bitwise repeatable at a fixed seed also when the
scenes load in worker processes (fit_segmentation's docstring: each worker
draws its augmentation from its own seeded generator), and another seed
trains another network."""
import torch

from pyg_fusion.datasets import SyntheticRGBD
from pyg_fusion.training import seed_everything
from pyg_fusion.training.segmentation import SegmentationModule, fit_segmentation

TINY = dict(depth=None, layers=(1, 1, 1, 1), width=4, decoder_features=8, light=True,
            dropout=0.0)


def test_two_workers_give_the_same_training_at_one_seed(tmp_path):
    kw = dict(size=32, num_train=8, num_test=2, seed=0)
    train = SyntheticRGBD(tmp_path / "d", "train", augment=True, **kw)
    params = []
    for run, seed in enumerate((5, 5, 6)):
        seed_everything(5)  # the same initial weights in every run
        module = SegmentationModule("shared", 6, TINY)
        fit_segmentation(module, train, out_dir=str(tmp_path / f"r{run}"), max_epochs=1,
                         batch_size=4, seed=seed, progress=False, checkpoint=False,
                         num_workers=2)
        params.append(torch.cat([p.detach().flatten() for p in module.parameters()]))
    assert torch.equal(params[0], params[1])
    assert not torch.equal(params[0], params[2])  # the seed orders and augments the batches
