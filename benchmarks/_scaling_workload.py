"""The workload of ``benchmarks/scaling.py``, also timed phase by phase by
``benchmarks/step_phases.py``: the sizes (d, k, P, prune_k), the features of
each source, and the sparse LEGO of the ``step`` stage."""
from __future__ import annotations

D, K, P, PRUNE = 128, 16, 3, 64


def _features(kind: str, n: int, seed: int):
    import torch

    from pyg_fusion.datasets import clustered_features
    if kind == "clustered":
        return clustered_features(n, D, seed=seed)
    return torch.randn(n, D, generator=torch.Generator().manual_seed(seed))


def step_model(device: str = "cpu", fusion_init: str = "model"):
    """The sparse LEGO of the ``step`` stage (two sources, ``knn="approx"``),
    seeded; with ``fusion_init="random"`` its fusion weights are drawn from
    N(0, 1), as after training (as built, they reach powers 0 and 1 only)."""
    import torch

    from pyg_fusion.nn import LEGO
    torch.manual_seed(0)
    model = LEGO({"a": D, "b": D}, P, k=K, prune_k=PRUNE, backend="sparse",
                 knn="approx").to(device)
    if fusion_init == "random":
        gen = torch.Generator().manual_seed(1)
        with torch.no_grad():
            for p in model.fusion.parameters():
                p.copy_(torch.randn(p.shape, generator=gen))
    return model
