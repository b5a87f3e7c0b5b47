"""dense_sources reads a batch of equal videos by a reshape: the values,
shapes and dtypes to_dense_batch gives, a fresh tensor, with no scatter per
source (every step of every VAD model); other batches as before."""
import pytest
import torch
from torch_geometric.data import Batch
from torch_geometric.utils import to_dense_batch

from pyg_fusion.data import MultiSourceData
from pyg_fusion.methods import _vad_inputs
from pyg_fusion.methods._vad_inputs import dense_sources


def _videos(sizes, widths=(3, 5)):
    g = torch.Generator().manual_seed(0)
    return Batch.from_data_list([
        MultiSourceData(**{f"x_s{i}": torch.randn(n, w, generator=g)
                           for i, w in enumerate(widths)}, num_nodes=n) for n in sizes])


def test_equal_videos_are_reshaped_without_to_dense_batch(monkeypatch):
    batch = _videos([4, 4, 4])
    expected = {s: to_dense_batch(batch[f"x_{s}"], batch.batch)[0] for s in ("s0", "s1")}

    def refused(*args, **kwargs):
        raise AssertionError("to_dense_batch called for a batch of equal videos")
    monkeypatch.setattr(_vad_inputs, "to_dense_batch", refused)
    out = dense_sources(batch, ["s0", "s1"], num_segments=4)
    for s, x in expected.items():
        assert out[s].shape == x.shape == (3, 4, x.size(-1)) and out[s].dtype == x.dtype
        assert torch.equal(out[s], x)
        # a copy, as before: an in-place edit of it leaves the batch as loaded
        assert out[s].untyped_storage().data_ptr() != batch[f"x_{s}"].untyped_storage().data_ptr()


def test_other_batches_are_read_as_before():
    with pytest.raises(ValueError, match="the same number of segments"):
        dense_sources(_videos([4, 3]), ["s0"])
    batch = _videos([2, 2])
    batch.batch = torch.tensor([1, 0, 1, 0])  # unsorted: no reshape, refused by name
    with pytest.raises(ValueError, match="batch must be sorted .* entry 1 is 0 after 1"):
        dense_sources(batch, ["s0"])
    one = _videos([5])
    assert torch.equal(dense_sources(one, ["s1"])["s1"], one.x_s1.unsqueeze(0))


@pytest.mark.parametrize("shape", [(4,), (4, 2, 3)])
def test_equal_videos_of_other_than_one_vector_per_row_keep_their_shape(shape):
    # a [T, crops, F] source (RTFM's saved crops) was flattened to crops * F
    # features by the reshape, where to_dense_batch keeps [B, N, crops, F] and
    # the models refuse it naming its shape; a [T] source likewise [B, N]
    g = torch.Generator().manual_seed(0)
    batch = Batch.from_data_list([MultiSourceData(x_a=torch.randn(*shape, generator=g),
                                                  num_nodes=4) for _ in range(2)])
    out = dense_sources(batch, ["a"])["a"]
    assert torch.equal(out, to_dense_batch(batch.x_a, batch.batch)[0])
