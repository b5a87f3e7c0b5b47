"""The sources of a batch are read by pyg_fusion.data.source_names wherever
an error lists them: a follow_batch vector (x_<source>_batch) is no source."""
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import LEGO
from pyg_fusion.training._translation_inputs import _inputs


def _batch():
    graphs = [MultiSourceData(x_a=torch.randn(3, 4)) for _ in range(2)]
    return next(iter(DataLoader(graphs, batch_size=2, follow_batch=["x_a"])))


def test_lego_lists_the_sources_not_the_follow_batch_vector():
    batch = _batch()
    assert "x_a_batch" in batch.keys()
    with pytest.raises(ValueError, match=r"the data lacks x_<source> for \['b'\]; it has "
                       r"\['x_a'\]$"):  # was ['x_a', 'x_a_batch']
        LEGO({"a": 4, "b": 4}, 2)(batch)


def test_translation_lists_the_modalities_not_the_follow_batch_vector():
    with pytest.raises(KeyError, match=r"batch has no modality 'depth' \(attribute x_depth\); "
                       r"it has \['a'\]"):  # was ['a', 'a_batch']
        _inputs(_batch(), ["depth"], [1])


def test_a_batchs_node_count_is_not_read_off_a_follow_batch_vector():
    # the count followed the first x_ key without an assign: x_a_batch (one
    # entry per finer unit of a) gave 12 nodes where the graphs hold 6
    fine = MultiSourceData(x_a=torch.randn(6, 4), assign_a=torch.tensor([0, 0, 1, 1, 2, 2]),
                           x_b=torch.randn(3, 4))
    batch = next(iter(DataLoader([fine, fine], batch_size=2, follow_batch=["x_a"])))
    batch.num_nodes = None  # follows the sources again
    assert batch.num_nodes == 6
    batch = next(iter(DataLoader([fine, fine], batch_size=2, follow_batch=["x_a"])))
    batch.x_b = torch.randn(5, 4)  # was left at 6: the count before read 12, not the stored 6
    assert batch.num_nodes == 5
