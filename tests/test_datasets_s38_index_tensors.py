"""dataset[idx] with an index tensor or array: the range check turned it
into a Python list and compared every entry in Python, per access (a
million-entry index took longer to check than PyG's selection)."""
import numpy as np
import pytest
import torch

from pyg_fusion.datasets._args import check_index_mask


class _NoList(np.ndarray):
    def tolist(self):
        raise AssertionError("an index array was turned into a list")


@pytest.mark.parametrize("dtype", [torch.long, torch.int32, torch.uint8])
def test_an_index_tensor_in_range_is_checked_without_a_python_list(monkeypatch, dtype):
    idx = torch.arange(200, dtype=dtype).flip(0)
    monkeypatch.setattr(torch.Tensor, "tolist", _NoList.tolist)
    assert check_index_mask(idx, 200) is idx
    assert check_index_mask(-idx[:5].long(), 200) is not None


def test_an_index_array_in_range_is_checked_without_a_python_list():
    idx = np.arange(-10, 10).view(_NoList)
    assert check_index_mask(idx, 10) is idx


@pytest.mark.parametrize("make", [torch.tensor, np.array, list])
def test_the_first_index_out_of_range_is_named_as_before(make):
    for idx, bad in (([1, 7, -9, 2], 7), ([0, -9, 7], -9)):
        with pytest.raises(IndexError, match=rf"^index {bad} is out of range for a dataset "
                                             rf"of 4 graphs$"):
            check_index_mask(make(idx), 4)
    with pytest.raises(IndexError, match=r"^index 4 is out of range"):
        check_index_mask(torch.tensor([[0, 1], [2, 4]]), 4)
    for empty in (torch.zeros(0, dtype=torch.long), np.zeros((0, 3), dtype=np.int64)):
        assert check_index_mask(empty, 4) is empty
