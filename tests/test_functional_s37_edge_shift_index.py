"""edge_shift takes an edge list of another integer dtype as every other
functional entry does (widened to torch.long), not as torch's indexing reads
it (int16: IndexError naming no argument; uint8: a boolean mask)."""
import pytest
import torch

import pyg_fusion.functional as F

X = torch.arange(40, dtype=torch.float64).view(5, 8).sin()
EI = torch.tensor([[1, 2, 3, 4, 1], [0, 1, 2, 3, 4]])
EW = torch.tensor([0.5, 1.0, 0.25, 2.0, 0.75], dtype=torch.float64)


@pytest.mark.parametrize("dtype", [torch.int32, torch.int16, torch.uint8])
@pytest.mark.parametrize("weighted", [False, True])
def test_edge_shift_of_an_integer_edge_index_gives_the_int64_numbers(dtype, weighted):
    ew = EW if weighted else None
    assert torch.equal(F.edge_shift(X, EI.to(dtype), edge_weight=ew),
                       F.edge_shift(X, EI, edge_weight=ew))


def test_edge_shift_refuses_a_float_edge_index_naming_it():
    with pytest.raises(TypeError, match="edge_index must be torch.long"):
        F.edge_shift(X, EI.double())
