"""Round 2's changes as the pages state them: the figure bounds of
docs/bad_input.md (frames of a video, node_size), and README's plot of a
checkpoint's scores as evaluate's own test pass (975071c)."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _text(page: str) -> str:
    return " ".join((ROOT / page).read_text().split())


def test_bad_input_states_the_figures_frame_and_node_size_bounds():
    import numpy as np

    from pyg_fusion.visualize import plot_anomaly_scores, plot_relation_graph
    from pyg_fusion.visualize.anomaly import MAX_FRAMES
    from pyg_fusion.visualize.graph import MAX_NODE_SIZE
    assert MAX_FRAMES == 2 ** 27 and MAX_NODE_SIZE == 1e6
    assert ("a video of more than 2**27 frames (`frames_per_snippet` times its snippets) and a "
            "`node_size` above 1e6") in _text("docs/bad_input.md")
    with pytest.raises(ValueError, match="more than this figure draws"):
        plot_anomaly_scores(np.array([0.1, 0.5]), frames_per_snippet=2 ** 40)
    import torch
    with pytest.raises(ValueError, match=re.escape("at most 1e+06")):
        plot_relation_graph(torch.tensor([[0, 1], [1, 0]]), node_size=1e28)


def test_readme_says_a_checkpoints_scores_plot_is_evaluates_pass():
    section = _text("README.md")
    assert "which runs `evaluate`'s test pass and draws the same scores" in section
    assert "scoring again" not in section
    said = _text("docs/training.md")
    assert "(no checkpoints; a VAD run's `scores.json` too)" in said
    assert "`sweep` refuses a `--q` of several values there" in _text("docs/methods.md")
