"""AsymFusion's fusion blocks (the shift and shuffle exchange between the
modalities' streams), the ResNet encoders of shared convolutions and private
BatchNorm, the RefineNet decoders and the segmenter."""
import pytest
import torch
import torch.nn.functional as F

from pyg_fusion.functional import channel_shuffle, pixel_shift
from pyg_fusion.nn.asym import (AsymFusionBasicBlock,
                                AsymFusionBottleneck, AsymFusionSegmenter,
                                RefineNetDecoder, ResNetEncoder,
                                asym_fusion_segmenter, asym_segmentation_loss,
                                load_torchvision_resnet, resnet18, resnet50)
from pyg_fusion.nn.asym import bn_affine_parameter_count
from test_asym_nn import _count, _leaf, _randn


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


def test_basic_block_gradcheck_float64(device, monkeypatch):
    # the basic block's shuffles and pixel shift (g = 4 of its 20 channels),
    # as test_bottleneck_gradcheck_float64 checks the bottleneck's
    if device.type == "cuda":
        monkeypatch.setattr(torch.backends.cudnn, "deterministic", True)
    torch.manual_seed(0)
    blk = AsymFusionBasicBlock(20, 20, 2, fusion=True).double().to(device)
    a = _leaf(2, 20, 3, 3, device=device, dtype=torch.float64)
    b = _leaf(2, 20, 3, 3, device=device, dtype=torch.float64)
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
    with pytest.raises(ValueError, match=r"input 'depth' has 1 channel, the encoder takes 3"):
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


