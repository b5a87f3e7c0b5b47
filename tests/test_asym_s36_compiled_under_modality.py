"""A shared network's wrapped model compiled alone (torch.compile(shared.model))
and called in ``with shared.modality(1):``, as the eager model is, ran with
modality 0's norms, without a word, after 1ad6ed0 read the thread's choice
only outside torch.compile; before 1797e35 the layers' attribute, which
torch.compile guards, gave modality 1's."""
import torch
from torch import nn

from pyg_fusion.nn.asym import share_across_modalities

# One graph (fullgraph=True) is checked on the torch that CI installs (2.13); older
# dynamo (2.5) breaks the graph at the modality context manager and at
# next(params, None), which the project allows (graph breaks, never errors):
# there the same outputs are asserted with the breaks
FULLGRAPH = tuple(int(v) for v in torch.__version__.split(".")[:2]) >= (2, 13)


def _shared():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
    shared = share_across_modalities(net, 2)
    with torch.no_grad():
        shared.model[1].norms[1].running_mean.fill_(2.0)
    return shared.eval()


def test_a_model_compiled_alone_uses_the_modality_of_its_calls_context():
    shared = _shared()
    x = torch.randn(2, 3, 8, 8)
    want = []
    for i in (0, 1):
        with shared.modality(i) as model:
            want.append(model(x))
    assert not torch.allclose(want[0], want[1])
    compiled = torch.compile(shared.model, backend="eager", fullgraph=FULLGRAPH)
    for i in (0, 1, 0):
        with shared.modality(i):
            torch.testing.assert_close(compiled(x), want[i])


def test_a_compiled_shared_network_in_another_modalitys_context_keeps_its_own():
    shared = _shared()
    xs = [torch.randn(2, 3, 8, 8)] * 2
    want = shared(xs)
    compiled = torch.compile(shared, backend="eager", fullgraph=FULLGRAPH)
    with shared.modality(1):
        got = compiled(xs)
    for w, g in zip(want, got):
        torch.testing.assert_close(g, w)
