"""The PyG data contract as a PyG user relies on it: batching and splitting
multi-source graphs, the datasets' indexing, caches and attributes, and the
transforms."""
import numpy as np
import pytest
import torch
from torch_geometric.data import Batch
from torch_geometric.loader import DataLoader

from pyg_fusion.data import MultiSourceData
from pyg_fusion.datasets import MultiFeatureDigits, SyntheticVAD
from pyg_fusion.datasets.translation import SyntheticTranslation, TaskonomyFolder
from pyg_fusion.transforms import RelationGraphs, _split_like_a_batch

VAD = dict(num_videos=(4, 4), snippets=(4, 8), num_segments=None, log=False)


def _double_mor(data):
    data.x_mor = data.x_mor * 2
    return data


def _zero_mor(data):
    data.x_mor = data.x_mor * 0
    return data


def _scale(c):
    def scale(data):
        data.x_mor = data.x_mor * c
        return data
    return scale


def test_another_pre_transform_function_is_another_cache(tmp_path):
    # PyG prints every function as "<function>": the cache of one was loaded for another
    raw = MultiFeatureDigits(str(tmp_path), views=["mor"], log=False)[0].x_mor
    for pre, want in ((_double_mor, 2 * raw), (_zero_mor, 0 * raw), (_scale(3), 3 * raw),
                      (_scale(5), 5 * raw), (lambda d: d, raw)):
        ds = MultiFeatureDigits(str(tmp_path), views=["mor"], pre_transform=pre, log=False)
        torch.testing.assert_close(ds[0].x_mor, want)


def _abnormal(data):
    return int(data.y) == 1


def _normal(data):
    return int(data.y) == 0


def test_another_pre_filter_function_is_another_cache(tmp_path):
    kept = [[int(d.y) for d in SyntheticVAD(str(tmp_path), "test", pre_filter=f, **VAD)]
            for f in (_abnormal, _normal)]
    assert kept == [[1, 1], [0, 0]]


def _graph(n, n_fine, e, e_fine, seed):
    g = torch.Generator().manual_seed(seed)
    return MultiSourceData(
        x_a=torch.randn(n, 3, generator=g), x_f=torch.randn(n_fine, 2, generator=g),
        assign_f=torch.randint(0, n, (n_fine, ), generator=g),
        edge_index_a=torch.randint(0, n, (2, e), generator=g),
        edge_weight_a=torch.rand(e, generator=g),
        edge_index_f=torch.randint(0, max(n_fine, 1), (2, e_fine), generator=g),
        y=torch.tensor([seed]))


def _same(a, b):
    assert sorted(a.keys()) == sorted(b.keys())
    for key in b.keys():
        if isinstance(b[key], torch.Tensor):
            assert torch.equal(a[key], b[key]), key
        else:
            assert a[key] == b[key], key


def test_batches_offset_every_source_and_split_back_into_the_graphs():
    # 1 node, no edges, no finer units: each offset by its own units
    graphs = [_graph(4, 6, 5, 7, 0), _graph(1, 2, 0, 0, 1), _graph(3, 0, 2, 0, 2),
              _graph(5, 9, 0, 3, 3)]
    for data in graphs:
        assert data.validate()
    batch = Batch.from_data_list(graphs)
    assert batch.validate() and batch.num_nodes == 13
    nodes = torch.tensor([0, 4, 5, 8])
    fine = torch.tensor([0, 6, 8, 8])
    for i, data in enumerate(graphs):
        _same(batch.get_example(i), data)
        a = batch.edge_index_a[:, batch.batch[batch.edge_index_a[0]] == i]
        assert torch.equal(a - nodes[i], data.edge_index_a)
        assert torch.equal(batch.batch[batch.assign_f[fine[i]:fine[i] + data.x_f.size(0)]],
                           torch.full((data.x_f.size(0), ), i))
    for data, back in zip([graphs[2], graphs[0]], batch.index_select([2, 0])):
        _same(back, data)
    for data, back in zip(graphs, next(iter(DataLoader(graphs, batch_size=4))).to_data_list()):
        _same(back, data)


@pytest.mark.parametrize("data, message", [
    (dict(x_b=torch.randn(5, 3)), "'x_b' has 5 rows, but num_nodes is 4"),
    (dict(edge_index_a=torch.tensor([[0, 9], [1, 2]])),
     r"'edge_index_a' contains larger indices than the rows of 'x_a' \(4\) \(found 9\)"),
    (dict(edge_index_f=torch.tensor([[0, 3], [1, 1]])),
     r"'edge_index_f' contains larger indices than the rows of 'x_f' \(3\)"),
    (dict(assign_f=torch.tensor([0, 7, 1])),
     r"'assign_f' contains larger indices than the number of nodes \(4\) \(found 7\)"),
    (dict(assign_f=torch.tensor([0., 1., 1.])), "'assign_f' must be an integer tensor"),
    (dict(assign_f=torch.tensor([0, 1])), r"'assign_f' needs to be of shape \[3\]"),
    (dict(edge_index_a=torch.tensor([[0, -1], [1, 2]])), "'edge_index_a' contains negative"),
    (dict(edge_index_a=torch.tensor([[0, 1], [1, 2]]), edge_weight_a=torch.ones(3)),
     r"'edge_weight_a' needs 2 rows"),
])
def test_validate_checks_every_source(data, message):
    # PyG's validate checks edge_index only: these were "valid"
    base = dict(x_a=torch.randn(4, 3), x_f=torch.randn(3, 2), assign_f=torch.tensor([0, 3, 1]))
    bad = MultiSourceData(**{**base, **data})
    with pytest.raises(ValueError, match=message):
        bad.validate()
    with pytest.warns(UserWarning, match=message):
        assert not bad.validate(raise_on_error=False)


def test_a_graph_of_finer_units_only_needs_num_nodes_to_batch():
    data = MultiSourceData(x_f=torch.randn(3, 2), assign_f=torch.tensor([0, 1, 1]))
    with pytest.raises(ValueError, match="cannot offset 'assign_f'.*set num_nodes"):
        with pytest.warns(UserWarning):  # PyG's, of the count it cannot infer
            Batch.from_data_list([data, data])
    data.num_nodes = 2
    assert Batch.from_data_list([data, data]).assign_f.tolist() == [0, 1, 1, 2, 3, 3]


def test_image_translation_sets_have_no_classes_and_one_width_per_modality(tmp_path):
    from PIL import Image

    # PyG read num_classes off the [1, 3, H, W] target (its width, 16) and
    # num_features off an absent x (0)
    ds = SyntheticTranslation(str(tmp_path / "syn"), num_images=2, image_size=16,
                              modalities=["depth", "normal"], progress=False)
    for folder in ("rgb", "depth"):
        (tmp_path / "tk" / folder).mkdir(parents=True)
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "tk" / folder / "0.png")
    tk = TaskonomyFolder(str(tmp_path / "tk"), ["depth"], image_size=16)
    # the target keeps its channels (the folder's 'rgb' images here are grey)
    for d, channels, y in ((ds, {"depth": 1, "normal": 3}, 3), (tk, {"depth": 1}, 1)):
        assert d.channels == channels and d[0].y.shape == (1, y, 16, 16)
        with pytest.raises(ValueError, match="the target y is an image.*no classes"):
            d.num_classes
        for attr in ("num_features", "num_node_features", "num_source_features"):
            with pytest.raises(ValueError, match=rf"use channels \({channels}\)"):
                getattr(d, attr)


@pytest.mark.parametrize("transform", [
    RelationGraphs(k=2), RelationGraphs(k=None, threshold=0.2),
    RelationGraphs(k=2, support="shared", sources=["a", "b"])])
def test_graphs_built_on_a_batch_split_back_as_built_per_graph(transform):
    # to_data_list dropped them: PyG keeps only the attributes it batched
    g = torch.Generator().manual_seed(0)
    graphs = [MultiSourceData(x_a=torch.randn(n, 3, generator=g),
                              x_b=torch.randn(n, 2, generator=g), y=torch.tensor([n]))
              for n in (5, 1, 4)]
    if transform.support == "own":
        for d in graphs:
            d.x_f = torch.randn(2 * d.num_nodes, 2, generator=g)
            d.assign_f = torch.arange(2 * d.num_nodes) // 2
    alone = [transform(d) for d in graphs]
    batch = Batch.from_data_list(graphs)
    together = transform(batch)
    assert "edge_index_a" not in batch._slice_dict  # the input batch is its own
    for d, back in zip(alone, together.to_data_list()):
        _same(back, d)
    # edges of the graphs interleaved: each graph's are gathered
    perm = torch.randperm(together.edge_index_a.size(1), generator=g)
    together.edge_index_a = together.edge_index_a[:, perm]
    together.edge_weight_a = together.edge_weight_a[perm]
    _split_like_a_batch(together, ["a"])
    for i, d in enumerate(alone):
        back = together.get_example(i)
        edges = [sorted(zip(*x.edge_index_a.tolist(), x.edge_weight_a.tolist()))
                 for x in (back, d)]
        assert edges[0] == edges[1]


def test_edge_counts_sum_the_sources_and_edge_subgraphs_name_them():
    # PyG counted the first edge-named attribute (edge_index_f's 7, set first)
    # and edge_subgraph cut that graph only, keeping edge_index_a whole
    data = MultiSourceData(x_a=torch.randn(4, 3), edge_index_f=torch.zeros(2, 7, dtype=torch.long),
                           edge_index_a=torch.zeros(2, 5, dtype=torch.long))
    assert data.num_edges == 7 + 5 and data.num_source_edges == {"f": 7, "a": 5}
    with pytest.raises(ValueError, match=r"one per source \['a', 'f'\]"):
        data.edge_subgraph(torch.tensor([0]))
    plain = MultiSourceData(x_a=torch.randn(4, 3), edge_index=torch.tensor([[0, 1], [1, 2]]))
    assert plain.num_edges == 2 and plain.edge_subgraph(torch.tensor([1])).num_edges == 1


def test_subgraph_relabels_a_node_graph_of_no_source():
    # edge_index_g without x_g batches on the nodes; subgraph kept its old ids
    data = MultiSourceData(x_a=torch.randn(4, 3), y=torch.arange(4),
                           edge_index_g=torch.tensor([[0, 1, 2, 3], [1, 2, 3, 0]]),
                           edge_weight_g=torch.arange(4.))
    sub = data.subgraph(torch.tensor([3, 0, 1]))
    assert sub.validate() and sub.y.tolist() == [3, 0, 1]
    assert sub.edge_index_g.tolist() == [[1, 0], [2, 1]] and sub.edge_weight_g.tolist() == [0, 3]


def test_a_graph_saved_as_a_dict_keeps_following_its_sources():
    # from_dict took the stored count as an explicit num_nodes: sources cut
    # to 3 rows after a weights_only round trip still batched 5 nodes each
    import io
    d = MultiSourceData(x_a=torch.randn(5, 2), x_b=torch.randn(5, 3))
    buf = io.BytesIO()
    torch.save(d.to_dict(), buf)
    buf.seek(0)
    back = MultiSourceData.from_dict(torch.load(buf, weights_only=True))
    assert back.num_nodes == 5 and torch.equal(back.x_a, d.x_a)
    back.x_a, back.x_b = back.x_a[:3], back.x_b[:3]
    assert back.num_nodes == 3
    assert Batch.from_data_list([back, back]).batch.tolist() == [0, 0, 0, 1, 1, 1]
    # a count that differs from the sources' was set explicitly: it stays
    explicit = MultiSourceData.from_dict(
        MultiSourceData(x_f=torch.randn(4, 2), assign_f=torch.tensor([0, 0, 1, 5]),
                        num_nodes=6).to_dict())
    explicit.x_f = 2 * explicit.x_f
    assert explicit.num_nodes == 6


def test_lego_fuses_a_dense_data_loader_batch_with_its_mask():
    # a DenseDataLoader batch (padded [B, N, d] sources, no batch vector) was
    # an AttributeError (its Batch has no graph count); its mask is now read
    from torch_geometric.loader import DenseDataLoader
    from pyg_fusion.nn import LEGO, GraphHead
    g = torch.Generator().manual_seed(0)
    xa, xb = torch.randn(2, 6, 4, generator=g), torch.randn(2, 6, 3, generator=g)
    xa[0, 4:] = xb[0, 4:] = 0  # graph 0 has 4 real nodes
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1] * 6], dtype=torch.bool)
    data = [MultiSourceData(x_a=xa[i], x_b=xb[i], mask=mask[i]) for i in range(2)]
    batch = next(iter(DenseDataLoader(data, batch_size=2)))
    lego = LEGO({"a": 4, "b": 3}, num_powers=2).eval()
    fused = lego(batch)
    assert fused.num_nodes == 10
    assert torch.equal(fused.to_dense(), lego({"a": xa, "b": xb}, mask=mask).to_dense())
    alone = lego({"a": xa[0, :4], "b": xb[0, :4]}).to_dense()[0]
    assert torch.allclose(fused.to_dense()[0, :4, :4], alone)
    assert fused.to_dense()[0, 4:].abs().sum() == 0
    head = GraphHead(4, 8, 2).eval()
    assert head(batch.x_a[batch.mask], fused).shape == (10, 2)
    with pytest.raises(ValueError, match=r"x is padded \(2, 6, 4\).*x\[mask\]"):
        head(batch.x_a, fused)
