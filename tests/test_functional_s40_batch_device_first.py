"""A batch on another device than the tensor it indexes gets the project's
message naming ``batch``, from every op that reads a batch's values: the
sortedness check read them first, and a meta batch ("meta" stands in for a
second device, as a CUDA batch beside CPU features) failed in torch
("Tensor.item() cannot be called on meta tensors"), naming no argument."""
import pytest
import torch

import pyg_fusion.functional as F

X = torch.randn(6, 4, generator=torch.Generator().manual_seed(0))
B = torch.tensor([0, 0, 0, 1, 1, 1])
EI = torch.tensor([[0, 1, 3, 4], [1, 2, 4, 5]])

CALLS = {
    "relation_pairs": (lambda b: F.relation_pairs(X, b, k=2), "x"),
    "knn_recall": (lambda b: F.knn_recall(X, EI, 1, b), "x"),
    "seed_prior_logits": (lambda b: F.seed_prior_logits(torch.rand(6, 3), b), "y"),
    "degree_variance_loss": (lambda b: F.degree_variance_loss(torch.rand(6), b,
                                                              torch.tensor([1., 0.])), "degrees"),
    "temporal_shift": (lambda b: F.temporal_shift(X, batch=b), "x"),
}


@pytest.mark.parametrize("name", CALLS)
def test_batch_on_another_device_is_named(name):
    call, ref = CALLS[name]
    with pytest.raises(ValueError, match=f"batch is on meta but {ref} on cpu"):
        call(B.to("meta"))
    call(B)  # the same batch on the data's device still runs
