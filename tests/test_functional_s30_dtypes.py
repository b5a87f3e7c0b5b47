"""float64 inputs keep float64 precision through the helpers a float64
model uses; float32 and 16-bit inputs keep their numbers."""
import torch

from pyg_fusion.functional import seed_prior_logits


def _seeds(dtype):
    y = torch.zeros(7, 3, dtype=dtype)
    y[[0, 1, 4], [1, 1, 2]] = 1
    return y


def test_seed_prior_logits_of_float64_labels_is_float64():
    y = _seeds(torch.float64)
    batch = torch.tensor([0, 0, 0, 1, 1, 1, 1])
    exact = torch.log(torch.tensor([1 / 6, 3 / 6, 2 / 6], dtype=torch.float64))
    prior = seed_prior_logits(y)
    assert prior.dtype == torch.float64
    torch.testing.assert_close(prior, exact, rtol=0, atol=1e-15)
    per_graph = seed_prior_logits(y, batch)
    assert per_graph.dtype == torch.float64
    torch.testing.assert_close(per_graph[0], torch.log(torch.tensor(
        [1 / 5, 3 / 5, 1 / 5], dtype=torch.float64)), rtol=0, atol=1e-15)


def test_seed_prior_logits_of_float32_and_16_bit_labels_unchanged():
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        y = _seeds(dtype)
        counts = y.float().sum(0)
        assert torch.equal(seed_prior_logits(y), ((counts + 1) / (counts.sum() + 3)).log())
