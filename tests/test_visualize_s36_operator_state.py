"""plot_fusion_operator given a checkpoint's state_dict of a LEGOFusion (a
plain dict of tensors, as torch.load gives it) drew its anchor buffers and
its 'A.a|b' / 'factors.a' entries as twice the operators (or failed with
"A['A'] must have 2 dimensions" for mode='full'); it is refused with the
ways to draw it."""
import matplotlib.pyplot as plt
import pytest
import torch

from pyg_fusion.nn import LEGOFusion
from pyg_fusion.visualize import plot_fusion_operator


@pytest.mark.parametrize("mode", ["pairwise", "cp", "full"])
def test_a_state_dict_is_refused_with_the_ways_to_draw_it(mode):
    fusion = LEGOFusion(["a", "b", "c"], 2, mode=mode, **({"rank": 2} if mode == "cp" else {}))
    before = plt.get_fignums()
    with pytest.raises(TypeError, match=r"A is a module's state_dict .*load_state_dict"):
        plot_fusion_operator(fusion.state_dict())
    assert plt.get_fignums() == before
    fig = plot_fusion_operator(fusion)  # the module, as documented
    plt.close(fig)


def test_the_entries_the_message_names_are_the_operator():
    fusion = LEGOFusion(["a", "b"], 2)
    state = fusion.state_dict()
    figs = [plot_fusion_operator({k[2:]: v for k, v in state.items() if k.startswith("A.")}),
            plot_fusion_operator(fusion)]
    try:
        first, second = ([a.get_title() for a in f.axes if a.get_images()] for f in figs)
        assert first == second
    finally:
        for f in figs:
            plt.close(f)
    # a source's name holds no '.', so an operator's dict is never taken for a state
    fig = plot_fusion_operator({"A": torch.ones(2, 3)})  # CP factor of a source 'A'
    plt.close(fig)
