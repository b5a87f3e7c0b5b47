"""docs/bad_input.md names this session's refusals of LEGO's fused graph and of
edges_to_dense's argument order: each statement is quoted beside the error."""
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent


def _said(quote: str) -> None:
    text = " ".join((ROOT / "docs" / "bad_input.md").read_text().split())
    assert quote in text, f"docs/bad_input.md no longer says {quote!r}: update this test"


def test_a_fused_graph_that_overflows_is_refused_as_the_page_says():
    _said("so is a fused G that overflows from finite powers (their products beyond the "
          "dtype's range), naming the sources' largest powers.")
    from pyg_fusion.nn import LEGO
    g = torch.Generator().manual_seed(0)
    xs = {s: torch.rand(6, 3, generator=g, dtype=torch.float64) * 1e80 for s in "ab"}
    model = LEGO({"a": 3, "b": 3}, 1, k=2, norm=None, metric="dot").double()
    with pytest.raises(ValueError, match=r"the fused graph overflowed.*a: 1\.\d+e\+160"):
        model(xs)


def test_edges_to_dense_in_to_dense_adjs_order_is_refused_as_the_page_says():
    _said("`edges_to_dense(edge_index, batch)`, in `to_dense_adj`'s order, would read the "
          "batch vector as integer edge weights: a `torch.long` `edge_weight` without "
          "`batch=` that is a batch vector (non-decreasing from 0) is refused, naming both "
          "orders; integer counts are weights.")
    from pyg_fusion.functional import edges_to_dense
    edge_index = torch.tensor([[0, 1, 2], [1, 2, 0]])
    with pytest.raises(TypeError, match="batch="):
        edges_to_dense(edge_index, torch.zeros(3, dtype=torch.long))
    counts = torch.tensor([2, 1, 3])
    assert edges_to_dense(edge_index, counts)[0, 1, 0].item() == 2


def test_a_method_spec_built_from_its_configs_is_checked_as_the_page_says():
    _said("options given in Python (`build_model`, `run_method`, `MethodSpec.create`, a "
          "`MethodSpec` built from its configs) are checked as the flags are")
    from pyg_fusion.specs import MethodSpec, TrainerConfig
    with pytest.raises(ValueError, match="epochs must be an int >= 1, got 0"):
        MethodSpec("lego", "vad", trainer=TrainerConfig(epochs=0))
