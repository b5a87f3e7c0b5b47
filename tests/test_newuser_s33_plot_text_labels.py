"""plot_adjacency(graphs, labels=<a user's class names, as read from a CSV>)
raised 'labels must be a tensor or an array of numbers, got ndarray': an array,
with no word of the text in it. The error names a text value and the mapping."""
import numpy as np
import pytest
import torch

from pyg_fusion.visualize import plot_adjacency


@pytest.mark.parametrize("labels", [np.array(["class_0", "class_1", "class_0", "class_1"]),
                                    ["class_0", "class_1", "class_0", "class_1"]])
def test_text_labels_are_named_with_the_mapping(labels):
    adj = torch.eye(4)
    with pytest.raises(TypeError, match=r"labels must be a tensor or an array of numbers, "
                                        r"got \w+ holding text \('class_0'\).*"
                                        r"numpy\.unique\(values, return_inverse=True\)\[1\]"):
        plot_adjacency({"a": adj}, labels=labels)


def test_numeric_labels_still_draw():
    fig = plot_adjacency({"a": torch.eye(4)}, labels=np.array([0, 1, 0, 1]))
    assert fig is not None
