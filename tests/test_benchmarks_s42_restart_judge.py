"""benchmarks/vad_restart_judge.py: its halves (they part the default
held-out set, each stratified, the training videos the defaults') and its
choice of (start, restart), which is ``--restarts R --init auto``'s."""
import pytest
import torch
from benchmark_scripts import load_benchmark
from torch_geometric.data import Data

from pyg_fusion.training.vad_split import split_videos


def _videos(n_per_class):
    return [Data(x=torch.zeros(2, 1), y=torch.tensor([c]), video=f"v{c}_{i}")
            for c in (1, 0) for i in range(n_per_class)]


@pytest.mark.parametrize("seed", [0, 3])
def test_halves_part_the_default_held_out_set(seed):
    halves_of = load_benchmark("vad_restart_judge").halves_of
    ds = _videos(30)
    train, choice, judge = halves_of(ds, seed)
    default_train, held = split_videos(ds, 0.2, seed)
    assert train == default_train
    assert sorted(choice + judge) == held and not set(choice) & set(judge)
    assert [sorted(int(ds[i].y) for i in h) for h in (choice, judge)] == [[0, 0, 0, 1, 1, 1]] * 2
    # --half 1: the same halves, their roles swapped
    assert halves_of(ds, seed, 1) == (train, judge, choice)


def test_halves_need_a_held_out_video_of_each_class_in_each_half():
    halves_of = load_benchmark("vad_restart_judge").halves_of
    with pytest.raises(ValueError, match="1 held-out video"):
        halves_of(_videos(5), 0)


def test_choice_is_the_restart_then_the_start_of_lowest_choice_loss():
    choose = load_benchmark("vad_restart_judge").choose
    loss = {("product", 0): 0.61, ("product", 1): 0.55, ("product", 2): 0.50,
            ("mean", 0): 0.56, ("mean", 1): 0.56, ("mean", 2): 0.52}
    runs = {k: {"choice_loss": v} for k, v in loss.items()}
    assert choose(runs, 1) == ("mean", 0)
    assert choose(runs, 2) == ("product", 1)
    assert choose(runs, 3) == ("product", 2)
    # ties: the earlier restart, then the product
    tied = {k: {"choice_loss": 0.5} for k in loss}
    assert choose(tied, 3) == ("product", 0)
