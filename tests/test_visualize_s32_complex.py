"""Complex numbers given to a figure: numpy and torch cast them to their
real parts with a warning only, and the figure drew those (a model's
complex output plotted as if real). Refused naming the argument, as the
datasets refuse complex features."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from pyg_fusion import visualize as V


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("call, message", [
    (lambda: V.plot_anomaly_scores(np.array([1 + 1j, 2])),
     r"scores\['video 0'\] must hold real numbers, got complex values \(complex128\)"),
    (lambda: V.plot_adjacency(torch.eye(2, dtype=torch.complex64)),
     r"graphs must hold real numbers, got complex values \(torch.complex64\)"),
    (lambda: V.plot_relation_graph(torch.tensor([[0], [1]]), torch.tensor([1j])),
     r"edge_weight must hold real numbers"),
    (lambda: V.plot_fusion_operator(torch.ones(2, 2, dtype=torch.complex64)),
     r"A must hold real numbers"),
    (lambda: V.plot_pq_sensitivity(np.ones((2, 2), complex)), r"results must hold real numbers"),
    (lambda: V.crossover([1, 2], np.array([1j, 2]), [1, 2]), r"first must hold real numbers"),
])
def test_complex_values_are_refused_by_name(call, message):
    with pytest.raises(TypeError, match=message):
        call()
    assert plt.get_fignums() == []
