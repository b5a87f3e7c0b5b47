"""The random streams of a VAD fit (docs/results/vad_studies.md, "The seeds'
random streams, and fold 0"): the held-out split (``split_videos``) and the
training shuffle (``fit_vad``'s loader) draw from two generators seeded with
the run's seed itself, so they are one stream: the shuffle's Fisher-Yates
steps take the split's draws, two draws later (the loader first draws a
64-bit base seed). The batch order is not drawn independently of the held-out
videos; seeding the shuffle independently (the study's probe) left every
fold's held-out loss within the runs' noise. A change to independent streams
changes every recorded VAD number: this test records the streams as they are."""
import math

import torch
from benchmark_scripts import load_benchmark
from torch.utils.data import Subset
from torch_geometric.data import Data

from pyg_fusion.training.vad_fit import _loaders
from pyg_fusion.training.vad_split import split_videos

# SyntheticVAD's training list: 30 abnormal videos, then 30 normal ones
N_CLASS, N_TRAIN = 30, 48
# shuffle step j and split step j + 2 draw the same number, taken modulo
# 48 - j and 28 - j: equal modulo their common divisor m when m > 1
PAIRS = [(j, math.gcd(N_TRAIN - j, N_CLASS - 2 - j)) for j in range(N_CLASS - 3)]
PAIRS = [(j, m) for j, m in PAIRS if m > 1]


def _videos():
    return [Data(x=torch.zeros(2, 1), y=torch.tensor([c]), video=f"v{c}_{i}")
            for c in (1, 0) for i in range(N_CLASS)]


def _steps(order):
    """The Fisher-Yates steps of a permutation: ``order`` is ``range(n)``
    with position i swapped with position i + z_i, for i = 0, 1, ..."""
    cur = list(range(len(order)))
    where = {v: i for i, v in enumerate(cur)}
    steps = []
    for i, v in enumerate(order[:-1]):
        j = where[v]
        steps.append(j - i)
        cur[i], cur[j] = cur[j], cur[i]
        where[cur[i]], where[cur[j]] = i, j
    assert cur == list(order)
    return steps


def _first_epoch(dataset, seed):
    loader, _ = _loaders(dataset, None, 16, seed)
    return [int(i) for batch in loader for i in batch.idx]


def test_the_held_out_split_and_the_training_shuffle_are_one_stream():
    videos = _videos()
    # the seed of the study's probe (benchmarks/vad_kfold_start.py --shuffle independent)
    independent_seed = load_benchmark("vad_kfold_start").independent_seed
    same = other = 0
    for seed in range(40):
        train, held = split_videos(videos, 0.2, seed)
        assert len(train) == N_TRAIN
        # the normal videos' permutation, drawn first, as split_videos draws it
        perm = torch.randperm(N_CLASS, generator=torch.Generator().manual_seed(seed))
        assert sorted((N_CLASS + perm[:6]).tolist()) == [i for i in held if i >= N_CLASS]
        split = _steps(perm.tolist())
        for loader_seed in (seed, independent_seed(seed)):  # fit_vad's seeding; the probe's
            shuffle = _steps(_first_epoch(Subset(videos, train), loader_seed))
            shared = all((shuffle[j] - split[j + 2]) % m == 0 for j, m in PAIRS)
            same += shared and loader_seed == seed
            other += shared and loader_seed != seed
    # every seed, against none of the loaders of the probe (by chance: a
    # product of 1 / m over the pairs, below 1e-9)
    assert (same, other) == (40, 0)
