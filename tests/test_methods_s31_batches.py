"""The node models given a PyG Batch, as a user batching graphs with PyG's
DataLoader would: they build one relationship graph over the nodes they are
given, so several graphs would be linked to each other."""
import pytest
import torch
from torch_geometric.data import Batch

from pyg_fusion.methods import build_model, method_names
from test_training_node import _toy_graph


@pytest.mark.parametrize("method", method_names("node", ["a", "b"]))
def test_a_batch_of_several_graphs_is_refused_and_one_graph_is_scored_as_alone(method):
    # every node method scored a Batch of 2 graphs over kNN edges between them:
    # the first graph's logits differed from those of the graph alone, silently
    torch.manual_seed(0)
    model = build_model(method, "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                        hidden_channels=16).eval()
    one = _toy_graph()
    with pytest.raises(ValueError, match=r"the data holds 2 graphs \(a PyG Batch\).*one graph "
                                         r"at a time"):
        model(Batch.from_data_list([one, _toy_graph(seed=1)]))
    with torch.no_grad():  # a Batch of one graph (a DataLoader of batch_size=1) is that graph
        assert torch.equal(model(Batch.from_data_list([one])), model(one))


@pytest.mark.parametrize("method", ["lego", "lego-row", "graph-a", "graph-concat"])
def test_videos_of_another_number_of_segments_name_num_segments(tmp_path, method):
    # a model of a row head built for N = 8 given videos of 16 segments said
    # "RowHead expects fused graphs [B, 8, 8], got (2, 16, 16)"
    from pyg_fusion.datasets import SyntheticVAD
    videos = SyntheticVAD(str(tmp_path), "train", num_videos=(2, 2), snippets=(16, 24),
                          num_segments=16, log=False)
    sources = {s: int(videos[0][f"x_{s}"].size(1)) for s in videos[0].sources}
    method = method.replace("-a", f"-{videos[0].sources[0]}")
    model = build_model(method, "vad", sources, num_segments=8)
    with pytest.raises(ValueError, match=r"the videos have 16 segments, but the model was "
                                         r"built for num_segments=8: build it with "
                                         r"num_segments=16, or resample"):
        model(Batch.from_data_list([videos[0], videos[1]]))
    logits, _ = build_model(method, "vad", sources, num_segments=16)(
        Batch.from_data_list([videos[0], videos[1]]))
    assert logits.shape == (2, 16)


@pytest.mark.parametrize("method", ["single-a", "feature-concat", "mtn", "graph-a", "lego"])
def test_a_nan_feature_of_a_video_is_named_by_its_source(tmp_path, method):
    # the feature models' NaN surfaced in the loss as 'logits contain NaN (in
    # the videos at rows [0] ...)', as if training had diverged; the graph
    # models said 'x contains ...', LEGO "xs['c3d'] contains ..."
    from pyg_fusion.datasets import SyntheticVAD
    videos = SyntheticVAD(str(tmp_path), "train", num_videos=(2, 2), snippets=(16, 24),
                          num_segments=8, log=False)
    first = videos[0].sources[0]
    sources = {s: int(videos[0][f"x_{s}"].size(1)) for s in videos[0].sources}
    bad = videos[0].clone()
    bad[f"x_{first}"] = bad[f"x_{first}"].clone()
    bad[f"x_{first}"][2, 1] = float("nan")
    model = build_model(method.replace("-a", f"-{first}"), "vad", sources, num_segments=8)
    with pytest.raises(ValueError, match=rf"x_{first} contains 1 NaN or Inf value"):
        model(Batch.from_data_list([bad, videos[1]]))


@pytest.mark.parametrize("task, kwargs, error, message", [
    ("vad", dict(num_segments=0), ValueError, "num_segments must be >= 1, got 0"),
    ("vad", dict(num_segments=True), TypeError, "num_segments must be an int, got True"),
    ("node", dict(num_classes=1), ValueError,
     r"num_classes must be >= 2 \(the classes of the graph's y, 0..num_classes-1\), got 1: "
     r"one class leaves nothing to tell apart"),
    ("node", dict(num_classes=2.0), TypeError, "num_classes must be an int, got 2.0"),
    ("node", dict(num_classes=3, num_nodes=-1, features="none"), ValueError,
     "num_nodes must be >= 1, got -1"),
])
def test_the_datas_dimensions_are_checked_by_their_names(task, kwargs, error, message):
    # num_segments=0 said 'num_nodes must be >= 1' (the row head's name),
    # num_classes=2.0 'out_channels must be an int', num_nodes=-1 torch's
    # 'negative dimension', and num_classes=1 built a model whose loss is 0
    with pytest.raises(error, match=message):
        build_model("lego", task, {"a": 3, "b": 2}, **kwargs)
