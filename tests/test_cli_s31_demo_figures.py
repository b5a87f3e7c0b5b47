"""demo.FIGURES (the figures the demo publishes into --out and checks --out
for) repeated the names that _figures writes: a figure renamed in one place
would be left out of --out, or a stale one kept. Both read _figure_files."""
import types

import pytest
import torch
from torch_geometric.data import Data

from pyg_fusion import visualize as V
from pyg_fusion.cli import demo


@pytest.fixture
def drawn(monkeypatch):
    paths = []

    def draw(*args, path, **kwargs):
        paths.append(path.name)
    for name in ("plot_adjacency", "plot_fusion_operator", "plot_anomaly_scores"):
        monkeypatch.setattr(V, name, draw)
    import pyg_fusion.datasets as D
    monkeypatch.setattr(D, "segment_scores_to_frames", lambda scores, data: scores)
    return paths


class _Model(torch.nn.Module):
    sources = ["a"]
    fusion = None

    def fused_graph(self, data):
        return torch.eye(data.num_nodes)

    def forward(self, batch):
        return torch.zeros(1, 4), torch.eye(4)[None]


@pytest.mark.parametrize("prefix", ["digits", "digits_graph_only"])
def test_the_node_figures_are_those_the_demo_publishes(tmp_path, drawn, prefix):
    graph = Data(x_a=torch.randn(12, 3), y=torch.arange(12) % 2, num_nodes=12)
    task = types.SimpleNamespace(model=_Model())
    written = demo._figures(tmp_path, types.SimpleNamespace(graph=graph), task, "node", prefix)
    assert written == drawn == list(demo._figure_files("node", prefix).values())
    assert set(written) <= set(demo.FIGURES)


def test_the_vad_figures_are_those_the_demo_publishes(tmp_path, drawn):
    videos = [Data(x_a=torch.randn(4, 3), y=torch.tensor(y), video=f"v{y}",
                   frame_gt=torch.zeros(4)) for y in (1, 0)]
    tested = [{"name": v.video, "label": int(v.y), "frame_scores": torch.zeros(4),
               "gt": v.frame_gt} for v in videos]  # the test's last_videos
    task = types.SimpleNamespace(model=_Model(), last_videos=tested)
    written = demo._figures(tmp_path, types.SimpleNamespace(test=videos), task, "vad")
    assert written == drawn == list(demo._figure_files("vad").values())
    assert set(written) <= set(demo.FIGURES)
