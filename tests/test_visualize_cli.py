import json

import pytest
import torch
from PIL import Image

from pyg_fusion.cli import main
from pyg_fusion.cli.plot import load_scores, operator_from_state, subsample
from pyg_fusion.data import MultiSourceData


def _png_ok(path):
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size[0] > 300 and im.size[1] > 200


def _vad_checkpoint(tmp_path, method: str, seed: int = 0, in_channels: bool = False):
    """SyntheticVAD's test split under ``tmp_path/data``, and ``last.ckpt``
    beside it as train writes it, of a ``method`` model (weights of seed 0;
    the config names ``seed``, and the widths with ``in_channels``)."""
    from pyg_fusion.datasets import SyntheticVAD
    from pyg_fusion.methods import build_model
    root = tmp_path / "data"
    test = SyntheticVAD(str(root / "synthetic_vad"), "test", log=False)
    widths = {s: test[0][f"x_{s}"].size(1) for s in test[0].sources}
    torch.manual_seed(0)
    model = build_model(method, "vad", widths, num_segments=32).eval()
    ckpt = tmp_path / "last.ckpt"
    config = {"method": method, "dataset": "synthetic-vad", "setting": "multi_representation",
              "seed": seed, "options": {}, **({"in_channels": widths} if in_channels else {})}
    torch.save({"state_dict": {f"model.{k}": v for k, v in model.state_dict().items()},
                "hyper_parameters": {"config": config}}, ckpt)
    return root, test, model, ckpt


@pytest.fixture
def graph_file(tmp_path):
    torch.manual_seed(0)
    data = MultiSourceData(x_a=torch.randn(40, 6), x_b=torch.randn(40, 3),
                           y=torch.randint(0, 3, (40, )))
    path = tmp_path / "graph.pt"
    torch.save(data, path)
    return path


@pytest.mark.parametrize("kind, extra", [
    ("relation-graph", ["--source", "b", "--k", "3", "--layout", "circular"]),
    ("adjacency", ["--k", "4"]),
    ("powers", ["--sources", "a", "--num-powers", "2"]),
])
def test_plot_graph_kinds_from_a_saved_graph(tmp_path, graph_file, kind, extra, capsys):
    out = tmp_path / f"{kind}.png"
    assert main(["plot", kind, "--input", str(graph_file), "--out", str(out), *extra]) == 0
    _png_ok(out)
    assert f"wrote {out}" in capsys.readouterr().out


def test_plot_powers_takes_one_p_per_source(tmp_path, graph_file, monkeypatch, capsys):
    """--num-powers reads as train's: one P, or SOURCE=P,... per source."""
    import pyg_fusion.visualize as V
    drawn, draw = {}, V.plot_power_expansion
    monkeypatch.setattr(V, "plot_power_expansion",
                        lambda powers, **kw: drawn.update(powers) or draw(powers, **kw))
    out = tmp_path / "powers.png"
    assert main(["plot", "powers", "--input", str(graph_file), "--out", str(out),
                 "--num-powers", "a=1,b=2"]) == 0
    # the sparse powers (edge_index, edge_attr [E, P+1], N) of each source
    assert {s: (p[1].shape[1], p[2]) for s, p in drawn.items()} == {"a": (2, 40),
                                                                    "b": (3, 40)}
    assert main(["plot", "powers", "--input", str(graph_file), "--out", str(out),
                 "--num-powers", "a=1"]) == 2
    assert ("--num-powers gives P for a, not for b: give one P for every source drawn"
            in capsys.readouterr().err)


def test_plot_operator_from_a_lightning_style_checkpoint(tmp_path):
    A = {"model.fusion.A.i3d|c3d": torch.randn(3, 4), "model.fusion.A.i3d|swin": torch.randn(3, 3)}
    ckpt = tmp_path / "last.ckpt"
    torch.save({"state_dict": {**A, "model.head.weight": torch.randn(2, 2)}, "epoch": 1}, ckpt)
    panels, kind = operator_from_state(torch.load(ckpt, weights_only=True)["state_dict"])
    assert kind == "pairwise" and set(panels) == {"i3d|c3d", "i3d|swin"}
    assert torch.equal(panels["i3d|c3d"], A["model.fusion.A.i3d|c3d"])
    out = tmp_path / "A.png"
    assert main(["plot", "operator", "--checkpoint", str(ckpt), "--out", str(out)]) == 0
    _png_ok(out)
    factors, kind = operator_from_state({"fusion.factors.a": torch.randn(2, 3),
                                         "fusion.factors.b": torch.randn(2, 4)})
    assert kind == "cp" and list(factors) == ["a", "b"]
    full = torch.randn(2, 3, 4)  # one operator over three sources (mode="full")
    panels, kind = operator_from_state({"model.lego.fusion.A": full})
    assert kind == "pairwise" and len(panels) == 4
    assert torch.equal(panels["s0|s1 @ s2^3"], full[:, :, 3])
    # a checkpoint of pyg-fusion train names its sources and its operator's form
    named, _ = operator_from_state({"model.lego.fusion.A": full}, names=["c3d", "i3d", "swin"],
                                   operator="full")
    assert torch.equal(named["c3d|i3d @ swin^3"], full[:, :, 3])
    two = torch.randn(4, 4)            # the full operator of two sources is their one A
    (key, ), _ = operator_from_state({"fusion.A": two}, names=["a", "b"], operator="full")
    assert key == "a | b"


def test_plot_operator_from_json(tmp_path):
    src = tmp_path / "A.json"
    src.write_text(json.dumps({"rgb|flow": [[0.1, -0.5], [1.0, 0.2]]}))
    out = tmp_path / "A.png"
    assert main(["plot", "operator", "--input", str(src), "--out", str(out)]) == 0
    _png_ok(out)


def test_plot_results_kinds(tmp_path, capsys):
    sweep = tmp_path / "sweep.json"
    sweep.write_text(json.dumps([{"P": p, "Q": q, "metric": "auc", "mean": 0.5 + 0.01 * p * q,
                                  "std": 0.01, "dataset": "toy", "method": "lego"}
                                 for p in (1, 2, 3) for q in (1, 2)]))
    out = tmp_path / "pq.png"
    assert main(["plot", "pq-sensitivity", "--input", str(sweep), "--out", str(out),
                 "--dataset", "toy"]) == 0
    _png_ok(out)

    scores = tmp_path / "scores.json"
    scores.write_text(json.dumps({"videos": [
        {"name": "v1", "scores": [0.1, 0.8, 0.2], "gt": [0] * 10 + [1] * 20 + [0] * 18},
        {"name": "v2", "scores": [0.3, 0.2]}], "frames_per_snippet": 16}))
    s, gt, fps = load_scores(str(scores))
    assert list(s) == ["v1", "v2"] and list(gt) == ["v1"] and fps == 16
    out = tmp_path / "scores.png"
    # v2 has no ground truth: the command must say so, not crash
    assert main(["plot", "anomaly-scores", "--input", str(scores), "--out", str(out)]) == 2
    assert "ground_truth has no entry for video(s) ['v2']" in capsys.readouterr().err
    scores.write_text(json.dumps({"scores": {"v1": [0.1, 0.8, 0.2]},
                                  "ground_truth": {"v1": [0, 1, 0]}}))
    assert main(["plot", "anomaly-scores", "--input", str(scores), "--out", str(out),
                 "--threshold", "0.5"]) == 0
    _png_ok(out)

    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps({"machine": {}, "config": {}, "rows": [
        {"N": n, "batch": 1, "backend": b, "scatter": "native", "time_s": t, "times": [t],
         "peak_mem_mb": 1.0, "status": "ok"}
        for n in (32, 64, 128) for b, t in (("dense", n * 1e-4), ("sparse", 1e-3))]}))
    out = tmp_path / "bench.png"
    assert main(["plot", "sparse-vs-dense", "--input", str(bench), "--out", str(out)]) == 0
    _png_ok(out)


@pytest.mark.parametrize("argv, message", [
    (["plot", "sparse-vs-dense", "--out", "x.png"], "needs --input"),
    (["plot", "sparse-vs-dense", "--input", "missing.json", "--out", "x.png"], "no such file"),
    (["plot", "adjacency", "--out", "x.png"], "needs --dataset NAME or --input"),
    (["plot", "adjacency", "--dataset", "imagenet", "--out", "x.png"], "--dataset must be one of"),
    (["plot", "operator", "--out", "x.png"], "needs --checkpoint"),
    (["plot", "operator", "--checkpoint", "a.ckpt", "--out", "x.jpg"],
     "--out must name a .png, .pdf, .svg file"),
])
def test_plot_user_errors_exit_2_with_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_plot_reports_a_missing_source(tmp_path, graph_file, capsys):
    assert main(["plot", "adjacency", "--input", str(graph_file), "--sources", "a,depth",
                 "--out", str(tmp_path / "x.png")]) == 2
    assert "['depth'] not in the graph" in capsys.readouterr().err
    # relation-graph's --source was refused by the figure as "source 'depth' not in data"
    assert main(["plot", "relation-graph", "--input", str(graph_file), "--source", "depth",
                 "--out", str(tmp_path / "x.png")]) == 2
    assert capsys.readouterr().err == ("pyg-fusion plot: error: --source 'depth' is not in the "
                                       "graph; its sources are ['a', 'b']\n")


def test_subsample_keeps_node_level_attributes_in_order():
    data = MultiSourceData(x_a=torch.arange(20.0).view(10, 2), y=torch.arange(10),
                           x_frames=torch.randn(30, 2))
    small, note = subsample(data, 4)
    assert small.num_nodes == 4 and "4 of 10" in note
    assert torch.equal(small.x_a[:, 0] / 2, small.y.float())
    assert bool((small.y.diff() > 0).all()) and "x_frames" not in small


def test_anomaly_scores_from_a_train_checkpoint(tmp_path):
    from torch_geometric.data import Batch

    from pyg_fusion.cli.plot import scores_from_checkpoint
    root, test, model, ckpt = _vad_checkpoint(tmp_path, "feature-concat", in_channels=True)
    scores, gt, fps = scores_from_checkpoint(str(ckpt), str(root))
    assert fps == 16 and len(scores) == len(test) == len(gt)
    first = test[0]
    with torch.no_grad():
        expected = torch.sigmoid(model(Batch.from_data_list([first]))[0][0])
    # as scores.json holds them (JSON lists), the scores the test ranks
    torch.testing.assert_close(torch.tensor(scores[first.video], dtype=expected.dtype),
                               expected[first.snippet_segment])
    assert gt[first.video] == first.frame_gt.view(-1).tolist()
    labels = [int(next(d for d in test if d.video == v).y) for v in list(scores)[:4]]
    assert labels == [1, 0, 1, 0]  # abnormal and normal alternate
    out = tmp_path / "s.png"
    assert main(["plot", "anomaly-scores", "--checkpoint", str(ckpt), "--root", str(root),
                 "--max-videos", "2", "--out", str(out)]) == 0
    _png_ok(out)


def test_adjacency_with_the_fused_graph_of_a_train_checkpoint(tmp_path, capsys):
    from torch_geometric.data import Batch

    from pyg_fusion.cli.plot import fused_from_checkpoint
    root, test, model, ckpt = _vad_checkpoint(tmp_path, "lego")
    data, g, label = fused_from_checkpoint(str(ckpt), str(root), index=3)
    with torch.no_grad():
        expected = model(Batch.from_data_list([test[3]]))[1][0]
    torch.testing.assert_close(g, expected)
    assert data.video == test[3].video and "lego" in label
    out = tmp_path / "adj.png"
    assert main(["plot", "adjacency", "--checkpoint", str(ckpt), "--root", str(root),
                 "--index", "3", "--out", str(out)]) == 0
    _png_ok(out)
    assert main(["plot", "relation-graph", "--checkpoint", str(ckpt), "--root", str(root),
                 "--layout", "temporal", "--out", str(out)]) == 0
    _png_ok(out)
    assert main(["plot", "powers", "--checkpoint", str(ckpt), "--root", str(root),
                 "--out", str(out)]) == 2
    assert "--checkpoint is for operator, adjacency, relation-graph and anomaly-scores" in \
        capsys.readouterr().err


def test_plot_writes_pdf_and_svg(tmp_path):
    """``--out`` takes the formats the drawing functions write, by suffix."""
    for suffix, head in ((".pdf", b"%PDF"), (".svg", b"<?xml")):
        out = tmp_path / f"adjacency{suffix}"
        assert main(["plot", "adjacency", "--dataset", "digits", "--sources", "fou,kar",
                     "--root", str(tmp_path / "data"), "--out", str(out)]) == 0
        assert out.read_bytes().startswith(head)


def test_plot_reads_the_dataset_as_train_does(tmp_path):
    # one loading path: plot --dataset uses train's options, so it shares train's cache
    from pyg_fusion.cli._plot_inputs import load_dataset_graph
    from pyg_fusion.experiments.data import DataConfig, load_data
    graph, label = load_dataset_graph("digits", str(tmp_path), 0)
    processed = sorted((tmp_path / "digits" / "processed").iterdir())
    td = load_data(DataConfig(dataset="digits", root=str(tmp_path)))
    assert sorted((tmp_path / "digits" / "processed").iterdir()) == processed
    assert label == "digits[0]"
    for s in td.graph.sources:
        assert torch.equal(graph[f"x_{s}"], td.graph[f"x_{s}"])


def test_checkpoint_figures_are_titled_with_the_run(tmp_path, monkeypatch):
    """plot operator / anomaly-scores of a train checkpoint drew no title: the
    figure did not say which method, data set and seed it showed (reproduced:
    pyg-fusion plot operator --checkpoint runs/vad/lego/seed0/checkpoints/last.ckpt)."""
    import pyg_fusion.visualize as V
    from pyg_fusion.cli._plot_inputs import checkpoint_title
    ckpt = tmp_path / "lego" / "seed0" / "checkpoints" / "last.ckpt"
    ckpt.parent.mkdir(parents=True)
    torch.save({"state_dict": {"model.fusion.A.a|b": torch.randn(2, 2)},
                "hyper_parameters": {"config": {
                    "method": "lego", "dataset": "synthetic-vad",
                    "setting": "multi_modal", "seed": 3, "options": {}}}}, ckpt)
    want = "learned fusion operator: lego on synthetic-vad (multi_modal), seed 3 " \
           "(seed0/last.ckpt)"
    assert checkpoint_title(str(ckpt), "learned fusion operator") == want
    seen = {}
    real = V.plot_fusion_operator
    monkeypatch.setattr(V, "plot_fusion_operator",
                        lambda *a, **kw: seen.update(kw) or real(*a, **kw))
    assert main(["plot", "operator", "--checkpoint", str(ckpt), "--out",
                 str(tmp_path / "A.png")]) == 0
    assert seen["title"] == want
    plain = tmp_path / "plain.pt"  # a plain state dict: its file name
    torch.save({"fusion.A.a|b": torch.randn(2, 2)}, plain)
    assert checkpoint_title(str(plain), "learned fusion operator") == \
        "learned fusion operator: plain.pt"


def test_fused_graph_figures_of_a_checkpoint_name_its_seed(tmp_path):
    """plot adjacency / relation-graph --checkpoint noted 'synthetic-vad[3] <video>,
    lego': not which seed's model it drew."""
    from pyg_fusion.cli.plot import fused_from_checkpoint
    root, test, _, ckpt = _vad_checkpoint(tmp_path, "lego", seed=2)
    _, _, label = fused_from_checkpoint(str(ckpt), str(root), index=3)
    # and which of the run's checkpoints: the file and its run folder
    assert label == f"synthetic-vad[3] {test[3].video}, lego, seed 2 ({tmp_path.name}/last.ckpt)"
