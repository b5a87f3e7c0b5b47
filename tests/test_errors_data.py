"""Bad inputs to pyg_fusion.data (MultiSourceData, its batches and node
counts): each gives a clear error naming the argument (or a defined, checked
behaviour); see tests/bad_inputs.py."""
import torch
from torch_geometric.loader import DataLoader

from bad_inputs import Case, Defined, case_tests
from pyg_fusion.data import MultiSourceData
from pyg_fusion.nn import LEGO
from test_errors_nn import XA, _graphs, lego


def _loader_builds_batch_and_lego_fuses_graphs_apart():
    graphs = _graphs()
    batch = next(iter(DataLoader(graphs, batch_size=2)))
    assert batch.batch.tolist() == [0, 0, 0, 1, 1, 1, 1]
    model = lego()
    together = model(batch).to_dense()
    for i, d in enumerate(graphs):
        alone = model(d).to_dense()[0]
        n = d.num_nodes
        assert torch.allclose(together[i, :n, :n], alone, atol=1e-6)


def _loader_offsets_assign():
    graphs = _graphs(assign=True)
    batch = next(iter(DataLoader(graphs, batch_size=2)))
    assert graphs[0].num_nodes == 3 and batch.num_nodes == 7
    assert batch.assign_f.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
    torch.manual_seed(0)
    model = LEGO({"a": 3, "b": 5, "f": 5}, 1, backend="sparse").eval()
    assert model(batch).num_nodes == 7


def _explicit_num_nodes_kept():
    d = MultiSourceData(x_a=torch.randn(3, 2), num_nodes=5)
    d.x_b = torch.randn(3, 2)
    assert d.num_nodes == 5


def _num_nodes_follows_deleted_sources():
    d = MultiSourceData(x_a=torch.randn(5, 2), x_b=torch.randn(4, 2))
    assert d.num_nodes == 5
    del d.x_a
    assert d.num_nodes == 4
    del d["x_b"]
    assert "num_nodes" not in d._store  # no source left: nothing to count
    d = MultiSourceData(x_a=torch.randn(5, 2), num_nodes=9)
    del d.x_a
    assert d.num_nodes == 9  # an explicit count stays
    d = MultiSourceData(x_a=torch.randn(5, 2), num_nodes=9)
    del d.num_nodes
    assert d.num_nodes == 5  # and, deleted, gives way to the sources again


def _explicit_num_nodes_survives_a_batch():
    from torch_geometric.data import Batch
    d = MultiSourceData(x_f=torch.randn(6, 2), assign_f=torch.tensor([0, 0, 1, 1, 2, 3]))
    d.num_nodes = 4
    out = Batch.from_data_list([d, d]).get_example(1)
    out.x_f = 2 * out.x_f          # any transform sets a source again
    assert out.num_nodes == 4
    d = MultiSourceData(x_a=torch.randn(3, 2), num_nodes=5)
    out = Batch.from_data_list([d]).get_example(0)
    out.x_a = out.x_a + 0
    assert out.num_nodes == 5
    d = MultiSourceData(x_a=torch.randn(3, 2))
    out = Batch.from_data_list([d]).get_example(0)
    out.x_a = torch.randn(7, 2)    # a count that followed the sources still follows them
    assert out.num_nodes == 7


def _narrow_ids(key: str, dtype=torch.uint8):
    # assign_f [0, 199] of two graphs of 200 nodes in uint8: batched, the
    # second graph's 399 wrapped around to 143
    d = MultiSourceData(x_a=torch.randn(200, 2), x_f=torch.randn(2, 2),
                        assign_f=torch.tensor([0, 199]), edge_index_a=torch.tensor([[0], [1]]))
    d[key] = d[key].to(dtype)
    return d


def _batch_narrow(key: str):
    from torch_geometric.data import Batch
    d = _narrow_ids(key)
    return lambda: Batch.from_data_list([d, d])


def catalogue():
    return [
        # MultiSourceData
        Case("MultiSourceData unknown source", lambda: MultiSourceData(x_a=XA).source("b"),
             KeyError, r"no source 'b'; sources are \['a'\]"),
        Defined("loader batch of x_<source>-only graphs, fused apart",
                _loader_builds_batch_and_lego_fuses_graphs_apart),
        Defined("loader offsets assign_<source>", _loader_offsets_assign),
        Defined("explicit num_nodes is kept", _explicit_num_nodes_kept),
        Defined("num_nodes follows deleted sources", _num_nodes_follows_deleted_sources),
        Defined("explicit num_nodes survives a Batch round trip",
                _explicit_num_nodes_survives_a_batch),
        Case("validate: uint8 assign_<source>", lambda: _narrow_ids("assign_f").validate(),
             ValueError, r"'assign_f': torch.uint8 is too narrow for ids .*torch.long"),
        Case("validate: uint8 edge_index_<source>",
             lambda: _narrow_ids("edge_index_a").validate(),
             ValueError, r"'edge_index_a': torch.uint8 is too narrow for ids"),
        Case("validate: int32 assign_<source> (LEGO refuses it)",
             lambda: _narrow_ids("assign_f", torch.int32).validate(),
             ValueError, r"^'assign_f' must be torch.long \(node ids\), got torch.int32 in "),
        Case("batch of uint8 assign_<source>", _batch_narrow("assign_f"), ValueError,
             r"cannot batch 'assign_f': torch.uint8 is too narrow for ids .*wrap around"),
        Case("batch of uint8 edge_index_<source>", _batch_narrow("edge_index_a"), ValueError,
             r"cannot batch 'edge_index_a': torch.uint8 is too narrow for ids"),
    ]


CASES = catalogue()
test_clear_error, test_defined_behaviour = case_tests(CASES)
