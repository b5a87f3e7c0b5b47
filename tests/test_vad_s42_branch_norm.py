"""A normalisation inside lego's GraphHead branch before its nonlinearity
(``branch_norm``) and a leaky one (``branch_act``): the branch reads
``|x - mean| >= 0``, so a step on its first layer moves a unit's
pre-activation on every segment alike and the unit can die; ``"batch"``
takes each unit's mean over the batch's segments out, ``"leaky_relu"``
keeps a gradient below 0."""
import pytest
import torch
import yaml
from torch_geometric.data import Batch

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.nn import GraphHead
from pyg_fusion.specs import MethodSpec
from pyg_fusion.training import seed_everything


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_branch_norm"))
    data = SyntheticVAD(root, "train", num_videos=(4, 4), snippets=(16, 24), num_segments=8,
                        log=False)
    d = data[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}
    return Batch.from_data_list([data[i] for i in range(4)]), inch


def _lego(inch, **options):
    seed_everything(3)
    return build_model("lego", "vad", inch, num_segments=8, num_powers=2, branch_dropout=0.0,
                       **options)


def test_off_by_default_and_the_same_start(videos):
    batch, inch = videos
    assert MethodSpec.create("lego", "vad").head.branch_norm is None
    plain = _lego(inch)
    assert plain.graph_head.norms is None
    for options in ({"branch_norm": "batch"}, {"branch_norm": "layer"},
                    {"branch_act": "leaky_relu"}):
        normed = _lego(inch, **options)
        if "branch_norm" in options:
            assert len(normed.graph_head.norms) == 1
            assert normed.graph_head.norm == options["branch_norm"]
        else:
            assert normed.graph_head.act == "leaky_relu"
        # the norm draws nothing: every other parameter starts as without it
        ours = dict(normed.named_parameters())
        for name, p in plain.named_parameters():
            torch.testing.assert_close(ours[name], p, rtol=0, atol=0)
        # and the branch's last layer starts at zero: the same scores
        normed.train(), plain.train()
        torch.testing.assert_close(normed(batch)[0], plain(batch)[0], rtol=0, atol=0)


def test_batch_norm_keeps_units_alive_whatever_their_common_shift():
    torch.manual_seed(0)
    x = torch.rand(40, 6)  # nonnegative, as the branch's |x - mean|
    edge_index = torch.stack([torch.arange(40), torch.arange(40).roll(1)])
    w = torch.rand(40)
    plain, normed = GraphHead(6, 5, 1, dropout=0.0), GraphHead(6, 5, 1, dropout=0.0,
                                                                  norm="batch")
    normed.load_state_dict(plain.state_dict(), strict=False)
    want = normed(x, edge_index, w)
    # a common shift of every first-layer pre-activation, as a step along the
    # input's common mode gives: the plain units die (a constant output),
    # the normalised ones do not move
    for head in (plain, normed):
        with torch.no_grad():
            head.convs[0].lin_rel.bias.sub_(20.0)
    out = plain(x, edge_index, w)
    torch.testing.assert_close(out, out[:1].expand_as(out))
    torch.testing.assert_close(normed(x, edge_index, w), want, rtol=1e-4, atol=1e-4)
    assert "norm='batch'" in repr(normed)
    with pytest.raises(ValueError, match="norm"):
        GraphHead(6, 5, 1, norm="group")
    with pytest.raises(ValueError, match="act"):
        GraphHead(6, 5, 1, act="gelu")


def test_a_leaky_unit_keeps_a_gradient_below_zero():
    torch.manual_seed(0)
    x = torch.rand(10, 4)
    edge_index = torch.stack([torch.arange(10), torch.arange(10).roll(1)])
    w = torch.rand(10)
    grads = []
    for act in ("relu", "leaky_relu"):
        torch.manual_seed(1)
        head = GraphHead(4, 3, 1, dropout=0.0, act=act)
        with torch.no_grad():
            head.convs[0].lin_rel.bias.sub_(20.0)  # every unit below 0 on every node
        head(x, edge_index, w).sum().backward()
        grads.append(head.convs[0].lin_rel.weight.grad.abs().sum())
    assert grads[0] == 0 and grads[1] > 0


def test_reaches_lego_and_lego_cp_not_lego_row_and_its_flag(capsys):
    from pyg_fusion.cli import main
    inch = {"a": 3, "b": 4}
    for name in ("lego", "lego-cp"):
        m = build_model(name, "vad", inch, num_segments=8, branch_norm="batch")
        assert isinstance(m.graph_head.norms[0], torch.nn.Module)
    assert build_model("lego-row", "vad", inch, num_segments=8).graph_head is None
    # a spec saved before the option existed (a checkpoint's) loads the plain branch
    saved = MethodSpec.create("lego", "vad").to_dict()
    del saved["head"]["branch_norm"], saved["head"]["branch_act"]
    spec = MethodSpec.from_dict(saved)
    assert spec.head.branch_norm is None and spec.head.branch_act == "relu"
    argv = ["train", "--dataset", "synthetic-vad", "--method", "lego", "--out", "o"]
    assert main([*argv, "--branch-norm", "batch", "--branch-act", "leaky_relu",
                 "--print-config"]) == 0
    head = yaml.safe_load(capsys.readouterr().out)["head"]
    assert head["branch_norm"] == "batch" and head["branch_act"] == "leaky_relu"
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--branch-norm", "group"])
    assert exc.value.code == 2
    assert "--branch-norm" in capsys.readouterr().err
