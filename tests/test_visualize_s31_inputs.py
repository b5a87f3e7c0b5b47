"""Inputs of pyg_fusion.visualize that an audit as a user found answered
wrongly: each case gave a traceback from inside numpy / matplotlib or a
figure of nothing, where a clear error naming the argument was due."""
import matplotlib.pyplot as plt
import pytest
import torch

from pyg_fusion.visualize import plot_power_expansion


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("powers,shape", [
    # before: an empty figure (no panel), returned as a success
    (torch.ones(0, 3, 3), "(0, 3, 3)"),
    # before: IndexError: index 0 is out of bounds for axis 1 with size 0
    ((torch.tensor([[0, 1], [1, 0]]), torch.empty(2, 0)), "(2, 0)")])
def test_powers_without_a_power_are_refused(powers, shape):
    before = plt.get_fignums()
    with pytest.raises(ValueError, match=rf"powers\['m'\] holds no power.*{shape}"):
        plot_power_expansion(powers)
    assert plt.get_fignums() == before
