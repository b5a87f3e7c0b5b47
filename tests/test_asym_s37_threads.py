"""A shared network's wrapped model called on one tensor in a thread that chose no
modality: refused while another thread held SharedModalityNetwork.modality() open,
run with modality 0's norms otherwise, as the threads' timing had it. It is now
refused whatever other threads hold; nn.DataParallel's replicas, run in worker
threads, keep the modality chosen where they were replicated."""
import sys
import threading

import pytest
import torch
from torch import nn

import torch.nn.parallel  # noqa: F401  (its replicate module, patched below)
from pyg_fusion.nn.asym.modality import share_across_modalities

from test_asym_s36_worker_thread_modality import _shared

_REPLICATE = sys.modules["torch.nn.parallel.replicate"]


def _in_threads(*calls):
    """Runs each call in its own thread; its result or its exception."""
    out = [None] * len(calls)

    def work(i):
        try:
            out[i] = calls[i]()
        except Exception as e:  # returned to the test, which names what it expects
            out[i] = e
    threads = [threading.Thread(target=work, args=(i, )) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


@pytest.mark.parametrize("other_thread_holds", [False, True])
def test_a_thread_that_chose_no_modality_is_refused_whatever_the_others_hold(
        other_thread_holds):
    shared, x = _shared(), torch.randn(2, 3, 4, 4)
    inside, release = threading.Event(), threading.Event()

    def hold():  # another thread inside modality(1) while this one calls, or none
        with shared.modality(1):
            inside.set()
            release.wait(10)
    holder = threading.Thread(target=hold)
    if other_thread_holds:
        holder.start()
        inside.wait(10)
    try:
        for _ in range(3):
            with pytest.raises(RuntimeError, match=r"thread that chose no modality: call "
                               r"the shared network on the list of modalities"):
                shared.model(x)
    finally:
        release.set()
        if other_thread_holds:
            holder.join()
    with shared.modality(1):  # its own choice works
        assert torch.equal(shared.model(x), shared([x, x])[1])


def test_a_model_of_one_modality_and_a_layer_of_ones_own_need_no_choice():
    one = share_across_modalities(nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4)), 1)
    x = torch.randn(2, 3, 4, 4)
    assert torch.equal(one.model(x), one([x])[0])
    from pyg_fusion.nn.asym import ModalityNorm
    norm = ModalityNorm(3, 2).eval()  # not in a shared network: its `active` modality
    assert torch.equal(norm(x), norm([x, x])[0])


@pytest.fixture
def replicate_on_cpu(monkeypatch):
    # nn.DataParallel's replicate() copies the parameters with a CUDA broadcast; on the
    # CPU the copies are clones, the rest of replicate() (the modules' copies) is torch's
    monkeypatch.setattr(_REPLICATE, "_broadcast_coalesced_reshape",
                        lambda tensors, devices, detach=False:
                        [[t.clone() for t in tensors] for _ in devices])
    return _REPLICATE.replicate


def test_data_parallel_replicas_keep_the_modality_chosen_where_they_were_made(
        replicate_on_cpu):
    # DataParallel(shared.model) inside modality(1): replicate() in the calling thread,
    # each replica run in a worker thread (parallel_apply); they ran modality 0's norms
    # (were refused while the context was still open)
    shared, x = _shared(), torch.randn(2, 3, 4, 4)
    with shared.modality(1):
        want = shared.model(x)
        replicas = replicate_on_cpu(shared.model, [0, 1])
        got = _in_threads(*(lambda r=r: r(x) for r in replicas))
    assert not torch.equal(want, shared([x, x])[0])
    for g in got:
        assert torch.equal(g, want)
    # replicated with no modality chosen: refused in the worker as in the calling thread
    for g in _in_threads(*(lambda r=r: r(x) for r in replicate_on_cpu(shared.model, [0, 1]))):
        assert isinstance(g, RuntimeError) and "chose no modality" in str(g)


def test_data_parallel_of_the_shared_network_runs_each_modality_in_each_replica(
        replicate_on_cpu):
    shared, x = _shared(), torch.randn(2, 3, 4, 4)
    want = shared([x, x])
    replicas = replicate_on_cpu(shared, [0, 1])
    for outs in _in_threads(*(lambda r=r: r([x, x]) for r in replicas)):
        for o, w in zip(outs, want):
            assert torch.equal(o, w)
