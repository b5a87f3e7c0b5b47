import torch
from torch_geometric.data import InMemoryDataset

from pyg_fusion.data import MultiSourceData


class _UserDataset(InMemoryDataset):
    # a user's own dataset of MultiSourceData, not a pyg_fusion dataset: PyG's
    # get_summary() / print_summary() read each graph's num_edges
    def __init__(self, graphs):
        super().__init__(None, log=False)
        self.data, self.slices = self.collate(graphs)


def _graph(n, edges):
    return MultiSourceData(x_a=torch.randn(n, 2), x_b=torch.randn(n, 3),
                           edge_index_a=torch.zeros(2, edges[0], dtype=torch.long),
                           edge_index_b=torch.zeros(2, edges[1], dtype=torch.long))


def test_summary_of_a_users_dataset_counts_every_sources_graph():
    # num_edges was an error on graphs per source, so PyG's summary of a
    # user's dataset stopped there; it counts all graphs, as HeteroData's does
    summary = _UserDataset([_graph(4, (5, 7)), _graph(6, (1, 2))]).get_summary()
    assert summary.num_graphs == 2 and (summary.num_nodes.min, summary.num_nodes.max) == (4, 6)
    assert (summary.num_edges.min, summary.num_edges.max) == (3, 12)


def test_with_an_edge_index_num_edges_is_its_count():
    # PyG's transforms size edge_index's weights by num_edges (LaplacianLambdaMax
    # drops weights of another size without a word): the graphs per source stay out
    both = _graph(3, (2, 2))
    both.edge_index = torch.tensor([[0, 1, 2, 0], [1, 2, 0, 2]])
    both.edge_weight = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert both.num_edges == both.edge_weight.numel() == 4
    assert both.num_source_edges == {"a": 2, "b": 2}
