"""Regularisation of lego's GraphHead branch on the VAD task: dropout inside
the branch only (``branch_dropout``), a branch that reads G without
back-propagating into LEGO's operator (``branch_detach``) and a fixed factor
on the branch's scores (``branch_scale``)."""
import pytest
import torch
import yaml
from torch_geometric.data import Batch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.specs import MethodSpec
from pyg_fusion.training import seed_everything


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_branch"))
    data = SyntheticVAD(root, "train", num_videos=(4, 4), snippets=(16, 24), num_segments=8,
                        log=False)
    d = data[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return Batch.from_data_list([data[i] for i in range(4)]), inch


def _lego(inch, seed=3, **options):
    # the branch without dropout unless a test gives one (lego's VAD default is
    # 0.1), so that training-mode outputs are comparable
    options = {"branch_dropout": 0.0, **options}
    seed_everything(seed)
    model = build_model("lego", "vad", inch, num_segments=8, num_powers=2, **options)
    # the branch's last layer starts at zero (no gradient reaches A through
    # it); give it weights so that the branch's path to A is live, and move A
    # off its start
    torch.manual_seed(11)
    with torch.no_grad():
        for p in model.graph_head.convs[-1].parameters():
            p.normal_()
        model.fusion.A.add_(0.1 * torch.randn_like(model.fusion.A))
    return model


def _grad_on_A(model, out):
    model.zero_grad()
    out.sum().backward()
    return model.fusion.A.grad.clone()


def test_defaults_and_options_off_change_nothing(videos):
    from pyg_fusion.methods.vad import VADLEGO
    batch, inch = videos
    # the VAD default of lego and lego-cp: dropout 0.1 in the branch (docs/results/
    # vad_studies.md, "Regularising lego's branch", "lego-cp's options")
    spec = MethodSpec.create("lego", "vad")
    assert spec.head.branch_dropout == 0.1 and spec.head.branch_detach is False
    assert spec.head.branch_scale == 1.0
    assert MethodSpec.create("lego-cp", "vad").head.branch_dropout == 0.1
    assert MethodSpec.create("lego", "node").head.branch_dropout is None
    assert build_model("lego", "vad", inch, num_segments=8).graph_head.dropout == 0.1
    assert build_model("lego-cp", "vad", inch, num_segments=8).graph_head.dropout == 0.1
    # the module's None takes the head's dropout
    assert VADLEGO(inch, 8, head="graph", dropout=0.3).graph_head.dropout == 0.3
    plain = _lego(inch, branch_dropout=0.1)
    explicit = _lego(inch, branch_dropout=0.1, branch_detach=False, branch_scale=1.0)
    plain.train(), explicit.train()
    torch.manual_seed(5)
    want = plain(batch)[0]
    torch.manual_seed(5)
    out = explicit(batch)[0]
    torch.testing.assert_close(out, want, rtol=0, atol=0)
    torch.testing.assert_close(_grad_on_A(explicit, out), _grad_on_A(plain, want), rtol=0, atol=0)


def test_branch_dropout_reaches_the_branch_only_and_is_off_in_eval(videos):
    batch, inch = videos
    model = _lego(inch, branch_dropout=0.5)
    ref = _lego(inch)
    assert model.graph_head.dropout == 0.5 and ref.graph_head.dropout == 0.0
    # the row head keeps the task's dropout
    assert [m.p for m in model.head.modules() if isinstance(m, torch.nn.Dropout)] == \
        [m.p for m in ref.head.modules() if isinstance(m, torch.nn.Dropout)]
    model.eval(), ref.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(batch)[0], ref(batch)[0], rtol=0, atol=0)
    model.train(), ref.train()
    torch.manual_seed(0)
    with torch.no_grad():
        assert not torch.equal(model(batch)[0], ref(batch)[0])
    with pytest.raises(ValueError, match=r"branch_dropout must be a number in \[0, 1\)"):
        build_model("lego", "vad", inch, num_segments=8, branch_dropout=1.0)


def test_detached_branch_gives_no_gradient_on_A(videos):
    batch, inch = videos
    attached, detached = _lego(inch), _lego(inch, branch_detach=True)
    out_a, g_a = attached(batch)
    out_d, g_d = detached(batch)
    # the same scores and graph: only the gradient changes
    torch.testing.assert_close(out_d, out_a, rtol=0, atol=0)
    torch.testing.assert_close(g_d, g_a, rtol=0, atol=0)
    grad_d = _grad_on_A(detached, out_d)
    # A's gradient is the row head's alone
    row_only = _grad_on_A(detached, detached.head(detached.lego(_sources(detached, batch))
                                                  .to_dense()))
    torch.testing.assert_close(grad_d, row_only, rtol=1e-6, atol=1e-9)
    grad_a = _grad_on_A(attached, out_a)
    assert (grad_a - grad_d).abs().max() > 1e-6
    # the branch's own parameters still learn
    detached.zero_grad()
    detached(batch)[0].sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in detached.graph_head.parameters())


def test_branch_scale_multiplies_the_branch_scores(videos):
    batch, inch = videos
    ref, scaled = _lego(inch), _lego(inch, branch_scale=0.25)
    assert scaled.branch_scale == 0.25
    row = ref.head(ref.lego(_sources(ref, batch)).to_dense())
    out_ref, out = ref(batch)[0], scaled(batch)[0]
    assert (out_ref - row).abs().max() > 1e-3  # the branch is live
    torch.testing.assert_close(out - row, 0.25 * (out_ref - row), rtol=1e-5, atol=1e-6)
    # the branch's parameters get a quarter of the gradient
    ref.zero_grad(), scaled.zero_grad()
    (out_ref - row.detach()).sum().backward()
    out.sum().backward()
    for p, q in zip(ref.graph_head.parameters(), scaled.graph_head.parameters()):
        torch.testing.assert_close(q.grad, 0.25 * p.grad, rtol=1e-5, atol=1e-7)
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError, match="branch_scale must be a finite number > 0"):
            build_model("lego", "vad", inch, num_segments=8, branch_scale=bad)


def _sources(model, batch):
    from pyg_fusion.methods.vad import center_videos, dense_sources
    return center_videos(dense_sources(batch, model.sources), model.center)


def test_options_reach_lego_and_lego_cp_not_lego_row():
    inch = {"a": 3, "b": 4}
    for name in ("lego", "lego-cp"):
        m = build_model(name, "vad", inch, num_segments=8, branch_dropout=0.2,
                        branch_detach=True, branch_scale=0.5)
        assert m.graph_head.dropout == 0.2 and m.branch_detach and m.branch_scale == 0.5
    assert build_model("lego-row", "vad", inch, num_segments=8, branch_detach=True,
                       branch_dropout=0.2).graph_head is None
    # a spec saved before the options existed (a checkpoint's) loads the plain branch
    saved = MethodSpec.create("lego", "vad").to_dict()
    for key in ("branch_dropout", "branch_detach", "branch_scale"):
        del saved["head"][key]
    spec = MethodSpec.from_dict(saved)
    assert spec.head.branch_dropout is None and spec.head.branch_detach is False
    assert spec.head.branch_scale == 1.0


def test_flags(capsys):
    from pyg_fusion.cli import main
    argv = ["train", "--dataset", "synthetic-vad", "--method", "lego", "--out", "o"]
    assert main([*argv, "--branch-dropout", "0.2", "--branch-detach", "--branch-scale", "0.3",
                 "--print-config"]) == 0
    head = yaml.safe_load(capsys.readouterr().out)["head"]
    assert head["branch_dropout"] == 0.2 and head["branch_detach"] is True
    assert head["branch_scale"] == 0.3
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--branch-dropout", "1.5"])
    assert exc.value.code == 2
    assert "--branch-dropout" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--branch-scale", "0"])
    assert exc.value.code == 2
    assert "--branch-scale" in capsys.readouterr().err
