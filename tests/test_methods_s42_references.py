"""Independent references, written from docs/methods.md with explicit loops,
for the formulas whose tests compared them only with the library's own
pieces or not at all: AsymFusion's basic block (§2.2) and translation
exchange with three modalities (§2.6), AsymGraphFusion on node features
(the asym-shuffle method), the private batch statistics of
ModalityBatchNorm2d (§2.1), the label-propagation head with its prior for
unreached nodes (§1.5), the VAD training loss (§1.6), and the heads'
orientation (row i of G is what unit i receives, §0 and §1.5) on asymmetric,
signed graphs."""
import pytest
import torch
import torch.nn.functional as tF

from pyg_fusion.nn import GraphHead, RowHead
from pyg_fusion.nn.asym import (AsymFusionBasicBlock, AsymTranslationFusion,
                                ModalityBatchNorm2d)

D = torch.float64


def _draw(*shape, seed):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=D)


def _randomise(module, seed):
    # break the symmetry of the start (BN weight 1, bias 0), seeded
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.rand(p.shape, generator=g, dtype=D) * 1.5 - 0.5)
    return module


def ref_shuffle(xs, ratio=0.2):
    """§2.3: modality m keeps its channels [0, 4g) and takes [4g, C) of
    modality (m + 1) mod M, channel by channel."""
    c = xs[0].shape[1]
    k = 4 * int(c * ratio + 1e-9)
    m = len(xs)
    out = [torch.empty_like(x) for x in xs]
    for i in range(m):
        for ch in range(c):
            out[i][:, ch] = xs[i][:, ch] if ch < k else xs[(i + 1) % m][:, ch]
    return out


def ref_shift(x, s=1, ratio=0.2):
    """§2.4: groups 0..3 of g channels move down, right, left, up by s
    pixels with zero fill; channels [4g, C) are zero."""
    b, c, h, w = x.shape
    g = int(c * ratio + 1e-9)
    out = torch.zeros_like(x)
    for ch in range(4 * g):
        di, dj = [(-s, 0), (0, -s), (0, s), (s, 0)][ch // g]  # out[i, j] = x[i + di, j + dj]
        for i in range(h):
            for j in range(w):
                if 0 <= i + di < h and 0 <= j + dj < w:
                    out[:, ch, i, j] = x[:, ch, i + di, j + dj]
    return out


def ref_batch_norm(x, bn):
    """Training-mode batch norm by its formula: each channel normalised by
    the batch's own mean and biased variance over (B, H, W)."""
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
    return ((x - mean) / torch.sqrt(var + bn.eps) * bn.weight.view(1, -1, 1, 1)
            + bn.bias.view(1, -1, 1, 1))


@pytest.mark.parametrize("inplanes,stride", [(10, 1), (6, 2)])
def test_basic_block_follows_its_data_flow(inplanes, stride):
    """§2.2: Y_m = BN2_m(W2 * S_m) + shift(X_{(m+1) mod M}), S = shuffle(X),
    out_m = ReLU(shuffle(Y)_m + residual(x_m)), the exchange after W1 (which
    carries the stride)."""
    blk = _randomise(AsymFusionBasicBlock(inplanes, 10, 2, stride, fusion=True).double(), 0)
    xs = [_draw(3, inplanes, 6, 5, seed=1), _draw(3, inplanes, 6, 5, seed=2)]
    out = blk(xs)
    x = [tF.relu(ref_batch_norm(tF.conv2d(v, blk.conv1.weight, stride=stride, padding=1),
                                blk.bn1.norms[m])) for m, v in enumerate(xs)]
    s = ref_shuffle(x)
    y = [ref_batch_norm(tF.conv2d(s[m], blk.conv2.weight, padding=1), blk.bn2.norms[m])
         + ref_shift(x[1 - m]) for m in range(2)]
    z = ref_shuffle(y)
    for m, v in enumerate(xs):
        if stride == 1:
            res = v
        else:
            conv, bn = blk.downsample
            res = ref_batch_norm(tF.conv2d(v, conv.weight, stride=stride), bn.norms[m])
        torch.testing.assert_close(out[m], tF.relu(z[m] + res), rtol=0, atol=1e-12)


@pytest.mark.parametrize("channels,shift", [(10, 1), (13, 2)])
def test_translation_exchange_of_three_modalities(channels, shift):
    """§2.6: Y_m = ReLU(norm_m(W * shuffle(X)_m)) + shift(X_{(m-1) mod M}),
    out_m = X_m + shuffle(Y)_m: the shuffle's partner is m + 1, the shift's
    m - 1."""
    blk = _randomise(AsymTranslationFusion(channels, 3, shift=shift).double(), 3)
    xs = [_draw(2, channels, 5, 6, seed=4 + m) for m in range(3)]
    out = blk(xs)
    s = ref_shuffle(xs)
    y = [tF.relu(ref_batch_norm(tF.conv2d(s[m], blk.conv.weight, padding=1),
                                blk.norm.norms[m])) + ref_shift(xs[(m - 1) % 3], shift)
         for m in range(3)]
    z = ref_shuffle(y)
    for m in range(3):
        torch.testing.assert_close(out[m], xs[m] + z[m], rtol=0, atol=1e-12)


def test_private_batch_norm_uses_each_modalitys_own_statistics():
    """§2.1: each modality is normalised by its own batch statistics in
    training and by its own running statistics in evaluation, with its own
    affine scale and shift."""
    bn = _randomise(ModalityBatchNorm2d(4, 3).double(), 7)
    xs = [_draw(5, 4, 3, 2, seed=8 + m) * (m + 1) + 3 * m for m in range(3)]
    out = bn(xs)
    for m in range(3):
        torch.testing.assert_close(out[m], ref_batch_norm(xs[m], bn.norms[m]), rtol=0,
                                   atol=1e-12)
        # running statistics after one step of momentum 0.1 from (0, 1): the
        # unbiased variance, as torch's BatchNorm keeps it
        mean = xs[m].mean(dim=(0, 2, 3))
        var = xs[m].var(dim=(0, 2, 3), unbiased=True)
        torch.testing.assert_close(bn.norms[m].running_mean, 0.1 * mean, rtol=0, atol=1e-12)
        torch.testing.assert_close(bn.norms[m].running_var, 0.9 + 0.1 * var, rtol=0,
                                   atol=1e-12)
    bn.eval()
    out = bn(xs)
    for m in range(3):
        n = bn.norms[m]
        want = ((xs[m] - n.running_mean.view(1, -1, 1, 1))
                / torch.sqrt(n.running_var.view(1, -1, 1, 1) + n.eps)
                * n.weight.view(1, -1, 1, 1) + n.bias.view(1, -1, 1, 1))
        torch.testing.assert_close(out[m], want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("row_norm", [None, "max"])
def test_row_head_scores_each_units_row(row_norm):
    """§1.5: unit i's logit is Linear(N, H) -> ReLU -> Linear(H, 1) of row
    g_i = G[i, :] (with row_norm="max" divided by its largest magnitude), on
    an asymmetric, signed G, so that reading columns would differ."""
    torch.manual_seed(0)
    n, h = 5, 3
    head = RowHead(n, h, row_norm=row_norm).double()
    G = _draw(2, n, n, seed=10)
    got = head(G)
    w1, b1 = head.lin1.weight.tolist(), head.lin1.bias.tolist()
    w2, b2 = head.lin2.weight[0].tolist(), head.lin2.bias.item()
    for b in range(2):
        for i in range(n):
            row = G[b, i].tolist()
            if row_norm == "max":
                top = max(abs(v) for v in row)
                row = [v / top for v in row]
            hidden = [max(0.0, b1[k] + sum(w1[k][j] * row[j] for j in range(n)))
                      for k in range(h)]
            want = b2 + sum(w2[k] * hidden[k] for k in range(h))
            assert got[b, i].item() == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_graph_head_propagates_over_in_edges_normalised_by_absolute_row_sums():
    """§1.5: x_i' = W_1 x_i + W_2 sum_j G~_ij x_j, G~_ij = G_ij / sum_k |G_ik|,
    G[i, j] the weight of the edge j -> i (repeated edges one entry), ReLU
    between the layers; signed weights and a node without in-edges."""
    torch.manual_seed(0)
    ei = torch.tensor([[0, 1, 1, 2, 3, 0, 2, 2], [1, 0, 0, 1, 1, 3, 3, 0]])
    w = torch.tensor([0.7, -1.2, 0.4, 2.0, -0.3, 1.1, 0.5, -0.9], dtype=D)
    n = 5  # node 4 has no in-edges (and node 2 only sends)
    head = _randomise(GraphHead(2, 3, 2, num_layers=2, dropout=0.0).double(), 11).eval()
    x = _draw(n, 2, seed=12)
    got = head(x, ei, w)
    G = [[0.0] * n for _ in range(n)]
    for (j, i), v in zip(ei.t().tolist(), w.tolist()):
        G[i][j] += v
    deg = [sum(abs(v) for v in row) for row in G]
    Gt = [[G[i][j] / deg[i] if deg[i] > 0 else 0.0 for j in range(n)] for i in range(n)]
    h = x.tolist()
    for layer, conv in enumerate(head.convs):
        root, rel = conv.lin_root.weight.tolist(), conv.lin_rel.weight.tolist()
        bias = conv.lin_rel.bias.tolist()
        agg = [[sum(Gt[i][j] * h[j][c] for j in range(n)) for c in range(len(h[0]))]
               for i in range(n)]
        h = [[bias[o] + sum(root[o][c] * h[i][c] + rel[o][c] * agg[i][c]
                            for c in range(len(h[0]))) for o in range(len(bias))]
             for i in range(n)]
        if layer < len(head.convs) - 1:
            h = [[max(0.0, v) for v in row] for row in h]
    torch.testing.assert_close(got, torch.tensor(h, dtype=D), rtol=0, atol=1e-12)


def ref_edge_shift(x, ei, w, ratio=0.2):
    """§2.4 on graphs: each node receives the weighted mean of its
    in-neighbours' channels [0, 4g) (0 without in-neighbours); [4g, C) zero."""
    n, c = x.shape
    k = 4 * int(c * ratio + 1e-9)
    out = torch.zeros_like(x)
    for i in range(n):
        into = [(j, v) for (j, t), v in zip(ei.t().tolist(), w.tolist()) if t == i]
        total = sum(v for _, v in into)
        if total > 0:
            out[i, :k] = sum(v * x[j, :k] for j, v in into) / total
    return out


def ref_temporal_shift(x, batch, steps=1, ratio=0.2):
    """Channels [0, 2g) move forward in time, [2g, 4g) backward, within each
    sequence of ``batch``; [4g, C) zero."""
    n, c = x.shape
    g = int(c * ratio + 1e-9)
    out = torch.zeros_like(x)
    for t in range(n):
        for lo, hi, src in ((0, 2 * g, t - steps), (2 * g, 4 * g, t + steps)):
            if 0 <= src < n and batch[src] == batch[t]:
                out[t, lo:hi] = x[src, lo:hi]
    return out


def ref_layer_norm(x, ln):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + ln.eps) * ln.weight + ln.bias


@pytest.mark.parametrize("shift", ["edge", "temporal"])
def test_graph_fusion_of_three_sources_follows_its_data_flow(shift):
    """AsymGraphFusion (§2.4, the asym-shuffle method): X_s = ReLU(N1_s(h_s W1)),
    Y_s = ReLU(N2_s(shuffle(X)_s W2)) + shift(X_{(s+1) mod M}),
    h_s <- ReLU(N3_s(shuffle(Y)_s W3) + h_s), each source first projected."""
    from pyg_fusion.nn.asym import AsymGraphFusion
    widths = {"a": 3, "b": 4, "c": 2}
    mod = _randomise(AsymGraphFusion(widths, 10, num_layers=2, shift=shift, norm="layer")
                     .double(), 13).eval()
    xs = {s: _draw(7, d, seed=14 + i) for i, (s, d) in enumerate(widths.items())}
    ei = torch.tensor([[0, 1, 2, 3, 4, 6, 6, 1], [1, 2, 3, 4, 0, 0, 2, 0]])
    w = torch.tensor([0.5, 1.0, 2.0, 0.3, 1.5, 0.7, 0.2, 1.1], dtype=D)
    batch = torch.tensor([0, 0, 0, 1, 1, 1, 1])
    got = mod(xs, edge_index=ei, edge_weight=w) if shift == "edge" else mod(xs, batch=batch)
    h = [tF.linear(xs[s], mod.inputs[s].weight, mod.inputs[s].bias) for s in widths]
    for lins, norms in zip(mod.lins, mod.norms):
        def step(vs, i):
            return [ref_layer_norm(tF.linear(v, lins[i].weight, lins[i].bias),
                                   norms[i].norms[m]) for m, v in enumerate(vs)]
        x = [tF.relu(v) for v in step(h, 0)]
        y = [tF.relu(v) for v in step(ref_shuffle(x), 1)]
        moved = [ref_edge_shift(v, ei, w) if shift == "edge" else ref_temporal_shift(v, batch)
                 for v in x]
        y = [y[m] + moved[(m + 1) % 3] for m in range(3)]
        h = [tF.relu(a + b) for a, b in zip(step(ref_shuffle(y), 2), h)]
    for m, s in enumerate(widths):
        torch.testing.assert_close(got[s], h[m], rtol=0, atol=1e-12)


@pytest.mark.parametrize("symmetric", [True, False])
def test_label_propagation_head_with_an_unreached_node(symmetric):
    """§1.5: F0 = Y, F_{l+1} = alpha W~ F_l + (1 - alpha) Y, W~ = D^-1/2 W D^-1/2
    (D the absolute row sums; W symmetrised with symmetric=True), logits
    tau F_L; a node no seed reaches gets log p_c, p_c = (n_c + 1) / (n + C)."""
    from pyg_fusion.nn import LabelPropagationHead
    ei = torch.tensor([[0, 1, 2, 3, 1, 4], [1, 2, 3, 1, 0, 3]])
    w = torch.tensor([1.0, 0.5, -0.4, 2.0, 0.8, 1.3], dtype=D)
    n, c, layers, alpha, tau = 6, 3, 4, 0.7, 3.0  # node 5: no edge at all
    y = torch.zeros(n, c, dtype=D)
    y[0, 0] = y[2, 0] = y[4, 2] = 1.0
    head = LabelPropagationHead(layers, alpha, symmetric, scale=tau).double()
    got = head(y, ei, w)
    tau = head.log_scale.exp().item()  # 3 as its float32 start holds it
    W = [[0.0] * n for _ in range(n)]
    for (j, i), v in zip(ei.t().tolist(), w.tolist()):
        W[i][j] += v
    if symmetric:
        W = [[(W[i][j] + W[j][i]) / 2 for j in range(n)] for i in range(n)]
    deg = [sum(abs(v) for v in row) for row in W]
    inv = [d ** -0.5 if d > 0 else 0.0 for d in deg]
    Y = y.tolist()
    F = [row[:] for row in Y]
    for _ in range(layers):
        F = [[alpha * sum(inv[i] * W[i][j] * inv[j] * F[j][k] for j in range(n))
              + (1 - alpha) * Y[i][k] for k in range(c)] for i in range(n)]
    prior = [torch.log(torch.tensor((cnt + 1) / (3 + c), dtype=D)).item()
             for cnt in (2, 0, 1)]
    want = [[tau * v for v in row] if any(v != 0 for v in row) else prior for row in F]
    assert all(v == 0 for v in F[5]) and any(v != 0 for v in F[1])
    torch.testing.assert_close(got, torch.tensor(want, dtype=D), rtol=0, atol=1e-12)


@pytest.mark.filterwarnings("ignore:You are trying to `self.log\\(\\)`")  # no trainer here
@pytest.mark.parametrize("method", ["graph-mean", "lego-row"])
def test_the_vad_training_loss_is_mil_bce_plus_the_degree_term(method):
    """§1.6: L = BCE(mean of each video's k = 3 highest segment scores, video
    label) + lambda_deg (Var(degrees of the normal videos) - Var(top-k
    degrees of each anomalous video))^2, unbiased variances pooled over the
    batch, degrees the row sums of the G the model returns, lambda_deg 0.1."""
    from torch_geometric.data import Batch, Data

    from pyg_fusion.methods import build_model
    from pyg_fusion.training.vad import WeaklySupervisedVAD
    g = torch.Generator().manual_seed(20)
    labels = [0, 1, 0, 1, 0]
    videos = Batch.from_data_list([
        Data(x_a=torch.randn(6, 3, generator=g, dtype=D), x_b=torch.randn(6, 4, generator=g,
                                                                          dtype=D),
             y=torch.tensor([label]), num_nodes=6) for label in labels])
    torch.manual_seed(0)
    model = build_model(method, "vad", {"a": 3, "b": 4}, num_segments=6).double().eval()
    task = WeaklySupervisedVAD(model)
    got = task.training_step(videos, 0)
    logits, G = model(videos)
    bce, normal, top = 0.0, [], []
    for b, label in enumerate(labels):
        scores = sorted((1 / (1 + torch.exp(-v)).item() for v in logits[b]), reverse=True)
        video = min(max(sum(scores[:3]) / 3, 1e-6), 1 - 1e-6)
        bce -= (torch.log(torch.tensor(video if label else 1 - video, dtype=D))).item()
        degrees = sorted((sum(G[b, i].tolist()) for i in range(6)), reverse=True)
        (top if label else normal).extend(degrees[:3] if label else degrees)

    def var(v):
        mean = sum(v) / len(v)
        return sum((x - mean) ** 2 for x in v) / (len(v) - 1)
    want = bce / len(labels) + 0.1 * (var(normal) - var(top)) ** 2
    assert (var(normal) - var(top)) ** 2 > 1e-6  # the degree term weighs in
    assert got.item() == pytest.approx(want, rel=1e-10, abs=0)
