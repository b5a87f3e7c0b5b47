"""Shared convolutions and private BatchNorm (AsymFusion's one network for all
modalities), the encoders, the fusion block, the decoders and the segmenter."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import (ModalityBatchNorm2d, ModalityParallel,
                                bn_affine_parameter_count,
                                share_across_modalities)


def _count(model):
    return sum(p.numel() for p in model.parameters())


def _randn(*shape, device="cpu", **kw):
    # drawn on the CPU, so that every device sees the same values (CUDA's
    # generator draws others), then moved
    return torch.randn(*shape, **kw).to(device)


def _leaf(*shape, device="cpu", dtype=torch.float32):
    # a leaf requiring grad on device, with the values of the CPU draw
    return _randn(*shape, device=device, dtype=dtype).requires_grad_()


def _small_cnn():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8),
                         nn.ReLU(), nn.Conv2d(8, 4, 3, padding=1),
                         nn.BatchNorm2d(4))


def test_modality_parallel_shares_one_module(device):
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1)
    par = ModalityParallel(conv).to(device)
    xs = [_randn(2, 3, 5, 5, device=device), _randn(2, 3, 5, 5, device=device)]
    out = par(xs)
    assert out[0].device.type == out[1].device.type == device.type
    assert torch.allclose(out[0], conv(xs[0])) and torch.allclose(out[1], conv(xs[1]))
    assert len(list(par.parameters())) == 2        # one weight, one bias
    with pytest.raises(TypeError, match="xs"):
        par(xs[0])


def test_modality_batchnorm_private_statistics_and_affine(device):
    bn = ModalityBatchNorm2d(4, 2).to(device)
    a = _randn(8, 4, 3, 3, device=device)
    b = 5 + 3 * _randn(8, 4, 3, 3, device=device)
    out = bn([a, b])
    assert out[0].device.type == out[1].device.type == device.type
    m0, m1 = bn.norms[0].running_mean, bn.norms[1].running_mean
    assert not torch.allclose(m0, m1)               # private statistics
    assert torch.allclose(m1, 0.1 * b.mean(dim=(0, 2, 3)), atol=1e-5)
    assert bn.norms[0].weight is not bn.norms[1].weight
    with pytest.raises(ValueError, match="2 modality"):
        bn([a])


def test_modality_batchnorm_frozen_stats(device):
    bn = ModalityBatchNorm2d(4, 2, frozen_stats=True).to(device).train()
    bn.norms[1].running_mean.fill_(2.0)
    x = _randn(6, 4, 3, 3, device=device)
    out = bn([x, x])
    assert out[1].device.type == device.type
    assert torch.equal(bn.norms[0].running_mean.cpu(), torch.zeros(4))   # not updated
    assert torch.allclose(out[1], (x - 2.0) / (1 + 1e-5) ** 0.5, atol=1e-6)
    out[0].sum().backward()
    assert bn.norms[0].weight.grad is not None                     # affine learns
    # frozen statistics need running ones: refused when built, not at the first forward
    with pytest.raises(ValueError, match="frozen_stats=True.*track_running_stats=False"):
        ModalityBatchNorm2d.from_batchnorm(torch.nn.BatchNorm2d(4, track_running_stats=False),
                                           2, frozen_stats=True)


def test_one_modality_norm_for_images_and_node_features(device):
    from pyg_fusion.nn.asym import AsymGraphFusion, ModalityNorm, ModalityNorm2d
    assert ModalityBatchNorm2d is ModalityNorm and ModalityNorm2d is ModalityNorm
    torch.manual_seed(0)
    inst = ModalityNorm(4, 2, "instance")
    assert all(isinstance(n, nn.InstanceNorm2d) and n.affine for n in inst.norms)
    node = ModalityNorm(4, 2, "batch", input_dim=2).to(device)
    x = _randn(10, 4, device=device)
    got = node([x, x])[1]
    assert got.device.type == device.type
    assert torch.allclose(got, nn.BatchNorm1d(4).to(device)(x))
    layer = ModalityNorm(4, 2, "layer", input_dim=2).to(device)
    assert torch.allclose(layer([x, x])[0], nn.LayerNorm(4).to(device)(x))
    with pytest.raises(ValueError, match="norm"):
        ModalityNorm(4, 2, "layer")                  # no layer norm on images
    with pytest.raises(ValueError, match="frozen_stats"):
        ModalityNorm(4, 2, "instance", frozen_stats=True)
    # AsymGraphFusion keeps its state-dict keys
    keys = AsymGraphFusion({"a": 5, "b": 5}, 10).state_dict()
    assert "norms.0.0.norms.1.running_mean" in keys


def test_modality_norm_loads_old_bns_keys():
    torch.manual_seed(0)
    shared = share_across_modalities(_small_cnn(), 2)
    with torch.no_grad():
        shared.model[1].norms[1].bias.add_(1.0)
    old = {k.replace(".norms.", ".bns."): v for k, v in shared.state_dict().items()}
    assert any(".bns." in k for k in old)
    fresh = share_across_modalities(_small_cnn(), 2)
    fresh.load_state_dict(old)
    for k, v in shared.state_dict().items():
        assert torch.equal(fresh.state_dict()[k], v), k


def test_share_across_modalities_parameters(device):
    torch.manual_seed(0)
    plain = _small_cnn()
    n_plain, n_bn = _count(plain), bn_affine_parameter_count(plain)
    shared = share_across_modalities(_small_cnn(), 2).to(device)
    assert _count(shared) == n_plain + n_bn         # only BN affine doubles
    assert isinstance(shared.model[1], ModalityBatchNorm2d)
    conv = shared.model[0]
    assert isinstance(conv, nn.Conv2d)              # one shared object
    xs = [_randn(4, 3, 6, 6, device=device), _randn(4, 3, 6, 6, device=device) * 3 + 1]
    ya, yb = shared(xs)
    assert ya.device.type == yb.device.type == device.type
    (ya.sum() + yb.sum()).backward()
    assert conv.weight.grad is not None
    # each modality uses its own BN: same input, different private affine
    shared = share_across_modalities(_small_cnn(), 2).to(device).eval()
    with torch.no_grad():
        shared.model[4].norms[1].bias.add_(1.0)
    za, zb = shared([xs[0], xs[0]])
    assert torch.allclose(zb - za, torch.ones_like(za), atol=1e-5)


def test_share_across_modalities_copies_bn_state():
    plain = _small_cnn()
    with torch.no_grad():
        plain[1].weight.uniform_()
        plain[1].running_var.fill_(4.0)
    shared = share_across_modalities(plain, 3)
    for b in shared.model[1].norms:
        assert torch.equal(b.weight, shared.model[1].norms[0].weight)
        assert torch.equal(b.running_var, torch.full((8, ), 4.0))
    assert bn_affine_parameter_count(shared) == 2 * (8 + 4)


# ----------------------------------------------------------------------------
# fusion blocks, encoders, decoders, segmenter
import torch.nn.functional as F  # noqa: E402

from pyg_fusion.functional import channel_shuffle, pixel_shift  # noqa: E402
from pyg_fusion.nn.asym import (AsymFusionBasicBlock,  # noqa: E402
                                AsymFusionBottleneck, AsymFusionSegmenter,
                                RefineNetDecoder, ResNetEncoder,
                                asym_fusion_segmenter, asym_segmentation_loss,
                                load_torchvision_resnet, resnet18, resnet50)


def _bn(bn, x):
    return F.batch_norm(x, None, None, bn.weight, bn.bias, True, 0.0, bn.eps)


def test_bottleneck_follows_the_block_data_flow(device, monkeypatch):
    if device.type == "cuda":
        # cuDNN convolves float32 in TF32 by default: a last-bit difference
        # between the block's BatchNorm (running statistics) and the
        # reference's (none) could flip an input's 10-bit rounding, ~1e-3
        monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    torch.manual_seed(0)
    blk = AsymFusionBottleneck(40, 10, 2, fusion=True)
    for p in blk.parameters():     # break the symmetry of the init
        p.data.uniform_(-0.5, 1.0)
    blk = blk.to(device)
    a, b = _randn(3, 40, 5, 6, device=device), _randn(3, 40, 5, 6, device=device)
    out = blk([a, b])
    assert out[0].device.type == out[1].device.type == device.type
    # the reference below runs on the same device, with the same kernels
    # docs/methods.md §2.4, step by step with the functional ops
    w1, w2, w3 = blk.conv1.weight, blk.conv2.weight, blk.conv3.weight
    x = [F.relu(_bn(blk.bn1.norms[m], F.conv2d(v, w1))) for m, v in enumerate((a, b))]
    s = channel_shuffle(x)
    y = [F.relu(_bn(blk.bn2.norms[m], F.conv2d(s[m], w2, padding=1))) for m in range(2)]
    y = [y[0] + pixel_shift(x[1]), y[1] + pixel_shift(x[0])]
    y = channel_shuffle(y)
    ref = [F.relu(_bn(blk.bn3.norms[m], F.conv2d(y[m], w3)) + v)
           for m, v in enumerate((a, b))]
    assert torch.allclose(out[0], ref[0], atol=1e-5)
    assert torch.allclose(out[1], ref[1], atol=1e-5)


@pytest.mark.parametrize("cls", [AsymFusionBottleneck, AsymFusionBasicBlock])
def test_blocks_exchange_only_with_fusion(cls, device):
    torch.manual_seed(0)
    for fusion in (True, False):
        blk = cls(20, 20 // cls.expansion, 2, fusion=fusion).to(device)
        a = _leaf(2, 20, 4, 4, device=device)
        b = _leaf(2, 20, 4, 4, device=device)
        blk([a, b])[0].sum().backward()
        crossed = b.grad is not None and b.grad.abs().sum() > 0
        assert crossed == fusion


def test_bottleneck_gradcheck_float64(device, monkeypatch):
    if device.type == "cuda":
        # gradcheck also asks that two backward passes agree bit for bit;
        # cuDNN may pick a convolution backward that adds with atomics: only
        # its deterministic algorithms here
        monkeypatch.setattr(torch.backends.cudnn, "deterministic", True)
    torch.manual_seed(0)
    blk = AsymFusionBottleneck(20, 5, 2, fusion=True).double().to(device)
    a = _leaf(2, 20, 2, 3, device=device, dtype=torch.float64)
    b = _leaf(2, 20, 2, 3, device=device, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda a, b: tuple(blk([a, b])), (a, b),
                                    fast_mode=True)


def test_strided_fusion_block_subsamples_the_shift(device):
    torch.manual_seed(0)
    blk = AsymFusionBottleneck(16, 5, 2, stride=2, fusion=True).to(device)
    a, b = _randn(1, 16, 7, 7, device=device), _randn(1, 16, 7, 7, device=device)
    out = blk([a, b])
    assert out[0].shape == (1, 20, 4, 4) and out[0].device.type == device.type
    # the block's equations by hand: the pre-conv features of the other
    # modality are subsampled by the stride before their pixel shift
    from pyg_fusion.functional import channel_shuffle, pixel_shift
    relu = torch.relu
    x1 = [relu(v) for v in blk.bn1([blk.conv1(a), blk.conv1(b)])]
    y = [relu(v) for v in blk.bn2([blk.conv2(v) for v in channel_shuffle(x1)])]
    y = [y[i] + pixel_shift(x1[1 - i][..., ::2, ::2]) for i in range(2)]
    y = blk.bn3([blk.conv3(v) for v in channel_shuffle(y)])
    conv, bn = blk.downsample
    res = bn([conv(a), conv(b)])
    for got, want in zip(out, [relu(u + r) for u, r in zip(y, res)]):
        torch.testing.assert_close(got, want)


def test_encoder_shares_convs_and_privatises_bn(device, monkeypatch):
    if device.type == "cuda":
        # cuDNN convolves float32 in TF32 by default (10-bit mantissa): the
        # sum of the gradients below would hold to ~1e-3 only, not to the
        # float32 round-off it checks
        monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    torch.manual_seed(0)
    kw = dict(width=8)
    one = ResNetEncoder("bottleneck", (2, 1, 1, 2), 1, **kw)
    two = ResNetEncoder("bottleneck", (2, 1, 1, 2), 2, **kw).to(device)
    assert _count(two) == _count(one) + bn_affine_parameter_count(one)
    names = [n for n, _ in two.named_parameters()]
    assert all(".norms." in n for n in names if ".bn" in n or "downsample.1" in n)
    assert not any(".norms." in n for n in names if "conv" in n)
    # the last block of each stage fuses, the others do not
    assert [[blk.fusion for blk in getattr(two, f"layer{s}")] for s in (1, 2, 3, 4)] \
        == [[False, True], [True], [True], [False, True]]
    feats = two([_randn(2, 3, 64, 64, device=device), _randn(2, 3, 64, 64, device=device)])
    assert [f[0].shape[1] for f in feats] == two.out_channels == [32, 64, 128, 256]
    assert all(f[m].device.type == device.type for f in feats for m in range(2))
    assert [f[1].shape[-1] for f in feats] == [16, 8, 4, 2]
    # the same conv parameter objects serve every modality
    convs = lambda enc: [n for n, _ in enc.named_parameters() if "conv" in n]  # noqa: E731
    assert convs(two) == convs(one)
    # ... so their gradient is the sum of what each modality's path sends
    two.eval()
    xs = [_randn(2, 3, 32, 32, device=device), _randn(2, 3, 32, 32, device=device)]
    grads = []
    for pick in ((0, ), (1, ), (0, 1)):
        two.zero_grad()
        f = two(xs)
        sum(f[3][m].square().sum() for m in pick).backward()
        grads.append(two.layer1[0].conv1.weight.grad.clone())
    assert grads[0].abs().sum() > 0 and grads[1].abs().sum() > 0
    # (on CUDA, cuDNN's weight gradients may add in another order: the
    # tolerance covers that round-off too)
    assert torch.allclose(grads[2], grads[0] + grads[1], rtol=1e-4, atol=1e-6)


def _torchvision_resnet_state_dict(depth):
    # torchvision's key names and shapes, derived from the ResNet definition
    # (He et al. 2016; torchvision.models.resnet), not from pyg_fusion
    block, layers = {18: ("basic", (2, 2, 2, 2)),
                     50: ("bottleneck", (3, 4, 6, 3))}[depth]
    exp = 1 if block == "basic" else 4
    g = torch.Generator().manual_seed(depth)
    sd = {}

    def bn(name, c):
        sd[f"{name}.weight"] = torch.rand(c, generator=g)
        sd[f"{name}.bias"] = torch.randn(c, generator=g)
        sd[f"{name}.running_mean"] = torch.randn(c, generator=g)
        sd[f"{name}.running_var"] = torch.rand(c, generator=g) + 0.5
        sd[f"{name}.num_batches_tracked"] = torch.tensor(100)

    sd["conv1.weight"] = torch.randn(64, 3, 7, 7, generator=g)
    bn("bn1", 64)
    inp = 64
    for s, n in enumerate(layers):
        planes = 64 * 2 ** s
        for i in range(n):
            p = f"layer{s + 1}.{i}"
            if block == "basic":
                shapes = [(planes, inp, 3), (planes, planes, 3)]
            else:
                shapes = [(planes, inp, 1), (planes, planes, 3),
                          (planes * 4, planes, 1)]
            for j, (co, ci, k) in enumerate(shapes, 1):
                sd[f"{p}.conv{j}.weight"] = torch.randn(co, ci, k, k, generator=g)
                bn(f"{p}.bn{j}", co)
            if i == 0 and (s > 0 or inp != planes * exp):
                sd[f"{p}.downsample.0.weight"] = torch.randn(
                    planes * exp, inp, 1, 1, generator=g)
                bn(f"{p}.downsample.1", planes * exp)
            inp = planes * exp
    sd["fc.weight"] = torch.randn(1000, inp, generator=g)
    sd["fc.bias"] = torch.randn(1000, generator=g)
    return sd


@pytest.mark.parametrize("depth,build", [(18, resnet18), (50, resnet50)])
def test_torchvision_state_dict_loads(depth, build, tmp_path):
    sd = _torchvision_resnet_state_dict(depth)
    enc = build(2)
    missing, unexpected = load_torchvision_resnet(enc, sd)
    assert missing == [] and unexpected == []
    assert torch.equal(enc.conv1.weight, sd["conv1.weight"])
    assert torch.equal(enc.layer2[0].downsample[0].weight,
                       sd["layer2.0.downsample.0.weight"])
    for m in range(2):   # each BN copied into every modality
        assert torch.equal(enc.layer3[1].bn2.norms[m].running_var,
                           sd["layer3.1.bn2.running_var"])
        assert torch.equal(enc.layer2[0].downsample[1].norms[m].weight,
                           sd["layer2.0.downsample.1.weight"])
    if depth == 18:      # from a local file, as a user would
        path = tmp_path / "resnet18.pth"
        torch.save(sd, path)
        enc2 = build(3)
        load_torchvision_resnet(enc2, str(path))
        assert torch.equal(enc2.bn1.norms[2].bias, sd["bn1.bias"])
        with pytest.raises(FileNotFoundError, match="nope.pth"):
            load_torchvision_resnet(enc2, str(tmp_path / "nope.pth"))
        del sd["layer1.0.conv1.weight"]
        with pytest.raises(KeyError, match="layer1.0.conv1.weight"):
            load_torchvision_resnet(enc2, sd)


@pytest.mark.parametrize("light", [False, True])
def test_refinenet_decoder_shapes(light, device):
    dec = RefineNetDecoder([8, 16, 32, 64], 5, features=8, light=light).to(device)
    feats = [_randn(2, c, s, s, device=device)
             for c, s in zip([8, 16, 32, 64], [16, 8, 4, 2])]
    out = dec(feats)
    assert out.shape == (2, 5, 16, 16) and out.device.type == device.type
    out.sum().backward()
    assert all(p.grad is not None for p in dec.parameters())
    assert "light" in repr(dec)


def test_full_decoder_has_release_structure():
    dec = RefineNetDecoder([256, 512, 1024, 2048], 40)   # ResNet-50/101/152
    assert dec.level4.reduce.weight.shape == (512, 2048, 3, 3)
    assert dec.level3.reduce.weight.shape == (256, 1024, 3, 3)
    assert len(dec.level4.adapt.convs) == 2 and len(dec.level4.post.convs) == 3
    assert len(dec.level1.pool.convs) == 4
    assert dec.classifier.weight.shape == (40, 256, 3, 3)


def _tiny(**kw):
    return asym_fusion_segmenter(4, depth=None, layers=(1, 2, 1, 2), width=8,
                                 decoder_features=8, light=True, **kw)


def test_segmenter_outputs_and_detached_ensemble(device):
    torch.manual_seed(0)
    seg = _tiny().to(device)
    assert isinstance(seg, AsymFusionSegmenter)
    assert seg.output_names == ["rgb", "depth", "ensemble"]
    xs = [_randn(2, 3, 32, 32, device=device), _randn(2, 3, 32, 32, device=device)]
    rgb, depth, ens = seg(xs)
    assert rgb.shape == depth.shape == ens.shape == (2, 4, 32, 32)
    assert rgb.device.type == depth.device.type == ens.device.type == device.type
    w = torch.softmax(seg.alpha, 0)
    assert torch.allclose(ens, w[0] * rgb + w[1] * depth, atol=1e-6)
    ens.sum().backward()   # the ensemble trains alpha only
    assert seg.alpha.grad is not None and seg.alpha.grad.abs().sum() > 0
    assert all(p.grad is None for p in seg.encoder.parameters())
    y = torch.randint(0, 4, (2, 32, 32)).to(device)
    y[0, :4] = 255
    seg.eval()          # no dropout: both evaluations see the same logits
    outs = seg(xs)
    loss = asym_segmentation_loss(outs, y)
    assert loss.device.type == device.type
    keep = y != 255
    ref = sum(-o.log_softmax(1).gather(1, y.clamp(max=3)[:, None])[:, 0][keep].mean()
              for o in outs)
    assert torch.allclose(loss, ref, atol=1e-5)
    with pytest.raises(ValueError, match="target"):
        asym_segmentation_loss([rgb], y[:, :8])
    # labels beyond the classes (e.g. 1..K with 0 as void) are named, not an IndexError
    # (on CUDA: a device-side assert)
    with pytest.raises(ValueError, match=r"target holds labels in \[0, 4\], the outputs "
                                         r"have 4 classes \(labels 0..3, 255 = ignore_index\)"):
        asym_segmentation_loss(outs, y.masked_fill(y == 3, 4))


@pytest.mark.parametrize("share", [True, False])
def test_segmenter_names_inputs_of_other_channels_or_sizes(share):
    seg = _tiny(share=share).eval()
    rgb = torch.randn(2, 3, 32, 32)
    with pytest.raises(ValueError, match=r"input 'depth' has 1 channels, the encoder takes 3"):
        seg([rgb, torch.randn(2, 1, 32, 32)])
    with pytest.raises(ValueError, match=r"input 'depth' is \(2, 3, 16, 16\) but input 'rgb' "
                                         r"is \(2, 3, 32, 32\)"):
        seg([rgb, torch.randn(2, 3, 16, 16)])
    with pytest.raises(ValueError, match=r"input 'depth' is \(1, 3, 32, 32\)"):
        seg([rgb, torch.randn(1, 3, 32, 32)])


def test_shared_segmenter_is_much_smaller_than_two_encoders(device):
    shared = _tiny()
    separate = _tiny(share=False)
    single = asym_fusion_segmenter(4, depth=None, layers=(1, 2, 1, 2), width=8,
                                   decoder_features=8, light=True,
                                   modalities=("rgb", ))
    extra_bn = bn_affine_parameter_count(single.encoder)
    # two modalities = one network + one more set of BN affine (+ one alpha)
    assert _count(shared) == _count(single) + extra_bn + 1
    assert _count(shared) < 0.6 * _count(separate)
    summed = _tiny(share=False, head="sum").to(device).eval()
    assert summed.output_names == ["sum"]
    xs = [_randn(2, 3, 32, 32, device=device), _randn(2, 3, 32, 32, device=device)]
    out = summed(xs)[0]
    assert out.shape == (2, 4, 32, 32) and out.device.type == device.type
    # the sum of the modalities' own maps: those of the ensemble head's twin
    twin = _tiny(share=False).to(device).eval()
    twin.load_state_dict(summed.state_dict())
    rgb, depth, _ = twin(xs)
    torch.testing.assert_close(out, rgb + depth, rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------
# the graph variant (node features of aligned sources)
from pyg_fusion.nn.asym import AsymGraphFusion  # noqa: E402


def test_graph_fusion_interface_and_parameters(device):
    torch.manual_seed(0)
    mod = AsymGraphFusion({"i3d": 12, "c3d": 7}, 10, num_layers=2).to(device)
    xs = {"i3d": _randn(9, 12, device=device), "c3d": _randn(9, 7, device=device)}
    out = mod(xs, batch=torch.tensor([0] * 5 + [1] * 4, device=device))
    assert set(out) == {"i3d", "c3d"} and out["c3d"].shape == (9, 10)
    assert out["i3d"].device.type == device.type
    # shared linears once per layer, private input maps and norms per source
    shared = 2 * 3 * (10 * 10 + 10)
    private = (12 * 10 + 10) + (7 * 10 + 10) + 2 * 3 * 2 * (2 * 10)
    assert _count(mod) == shared + private
    cat = AsymGraphFusion({"a": 6, "b": 6}, 5, combine="concat", shift="none").to(device)
    ab = {"a": _randn(4, 6, device=device), "b": _randn(4, 6, device=device)}
    got = cat(ab)
    assert got.shape == (4, 10) and got.device.type == device.type
    # the per-source outputs of the same weights, side by side
    per = AsymGraphFusion({"a": 6, "b": 6}, 5, shift="none").to(device)
    per.load_state_dict(cat.state_dict())
    want = per(ab)
    assert torch.equal(got, torch.cat([want["a"], want["b"]], dim=-1))
    with pytest.raises(ValueError, match="aligned"):
        mod({"i3d": _randn(9, 12, device=device), "c3d": _randn(8, 7, device=device)})
    with pytest.raises(ValueError, match="lacks"):
        mod({"i3d": _randn(9, 12, device=device)})
    with pytest.raises(ValueError, match="edge_index"):
        AsymGraphFusion({"a": 3, "b": 3}, 5, shift="edge")(
            {"a": torch.randn(2, 3), "b": torch.randn(2, 3)})
    # bad options fail when the module is built, as the image blocks do
    with pytest.raises(ValueError, match="ratio"):
        AsymGraphFusion({"a": 3, "b": 3}, 10, ratio=0.5)
    for p in (1.5, -1.0):
        with pytest.raises(ValueError, match="dropout"):
            AsymGraphFusion({"a": 3, "b": 3}, 10, dropout=p)


@pytest.mark.parametrize("shift,shuffle", [("temporal", False), ("edge", False),
                                           ("none", True), ("none", False)])
def test_graph_fusion_exchanges_between_sources(shift, shuffle, device):
    torch.manual_seed(0)
    mod = AsymGraphFusion({"a": 5, "b": 5}, 10, shift=shift, shuffle=shuffle,
                          norm="layer").to(device)
    a = _leaf(6, 5, device=device)
    b = _leaf(6, 5, device=device)
    ei = torch.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]], device=device)
    mod({"a": a, "b": b}, edge_index=ei)["a"].sum().backward()
    crossed = b.grad is not None and b.grad.abs().sum() > 0
    assert crossed == (shift != "none" or shuffle)


def test_graph_temporal_shift_stays_inside_sequences(device):
    torch.manual_seed(0)
    mod = AsymGraphFusion({"a": 5, "b": 5}, 10, norm="layer").to(device).eval()
    batch = torch.tensor([0, 0, 0, 1, 1, 1], device=device)
    a, b = _randn(6, 5, device=device), _randn(6, 5, device=device)
    out1 = mod({"a": a, "b": b}, batch=batch)
    assert out1["a"].device.type == device.type
    b2 = b.clone()
    b2[3:] += 10.0                       # change sequence 1 only
    out2 = mod({"a": a, "b": b2}, batch=batch)
    assert torch.allclose(out1["a"][:3], out2["a"][:3])
    assert not torch.allclose(out1["a"][3:], out2["a"][3:])


def test_graph_fusion_gradcheck_float64(device):
    torch.manual_seed(0)
    mod = AsymGraphFusion({"a": 4, "b": 3}, 5, shift="edge").double().to(device)
    ei = torch.tensor([[0, 1, 2], [1, 2, 0]], device=device)
    a = _leaf(3, 4, device=device, dtype=torch.float64)
    b = _leaf(3, 3, device=device, dtype=torch.float64)
    assert torch.autograd.gradcheck(
        lambda a, b: tuple(mod({"a": a, "b": b}, edge_index=ei).values()), (a, b),
        fast_mode=True)
