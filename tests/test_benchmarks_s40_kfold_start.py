"""benchmarks/vad_kfold_start.py: its folds (fold 0 is the default held-out
set, the k folds part the training videos, each stratified) and its
one-standard-error rule."""
import pytest
import torch
from benchmark_scripts import load_benchmark
from torch_geometric.data import Data

from pyg_fusion.training.vad_split import split_videos


def _videos(n_per_class):
    return [Data(x=torch.zeros(2, 1), y=torch.tensor([c]), video=f"v{c}_{i}")
            for c in (1, 0) for i in range(n_per_class)]


@pytest.mark.parametrize("seed", [0, 3])
def test_folds_part_the_videos_and_fold_0_is_the_default_held_out_set(seed):
    module = load_benchmark("vad_kfold_start")
    ds = _videos(10)
    folds = module.folds_of(ds, 5, 0.2, seed)
    assert folds[0] == split_videos(ds, 0.2, seed)[1]
    assert sorted(i for f in folds for i in f) == list(range(20))
    assert all(sorted(int(ds[i].y) for i in f) == [0, 0, 1, 1] for f in folds)
    with pytest.raises(ValueError, match="--folds 6: 6 folds of 2 videos exceed the 10"):
        module.folds_of(ds, 6, 0.2, seed)


def test_one_se_keeps_the_product_start_unless_the_mean_start_is_clearly_lower():
    one_se = load_benchmark("vad_kfold_start").one_se

    def runs(product, mean):
        return {"product": {f: {"val_loss": v} for f, v in enumerate(product)},
                "mean": {f: {"val_loss": v} for f, v in enumerate(mean)}}
    # lower on average (0.60 against 0.62) but within one standard error
    assert one_se(runs([0.6, 0.7, 0.5, 0.7], [0.5, 0.8, 0.4, 0.7]), [0, 1, 2, 3]) == "product"
    # lower in every fold, by more than one standard error
    assert one_se(runs([0.6, 0.7, 0.5, 0.7], [0.5, 0.62, 0.41, 0.6]), [0, 1, 2, 3]) == "mean"
