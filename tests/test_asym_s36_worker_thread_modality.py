"""A shared network's wrapped model called from a worker thread (a thread pool,
nn.DataParallel's replicas) while the calling thread is inside
SharedModalityNetwork.modality(1) ran modality 0's norms, without a word: the
choice is the calling thread's since 1797e35."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym.modality import share_across_modalities


def _shared():
    torch.manual_seed(0)
    shared = share_across_modalities(nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4)), 2)
    with torch.no_grad():
        shared.model[1].norms[1].bias.fill_(5.0)
    return shared.eval()


def test_a_worker_thread_that_chose_no_modality_is_refused_not_run_with_modality_0():
    shared, x = _shared(), torch.randn(2, 3, 4, 4)
    with ThreadPoolExecutor(1) as pool:
        with shared.modality(1):
            here = shared.model(x)
            with pytest.raises(RuntimeError, match=r"thread that chose no modality.*"
                               r"entered in the thread that calls it"):
                pool.submit(shared.model, x).result()

            def chosen_there():
                with shared.modality(1):
                    return shared.model(x)
            assert torch.equal(pool.submit(chosen_there).result(), here)
            # the list call chooses in the thread it runs in
            assert torch.equal(pool.submit(shared, [x, x]).result()[1], here)
        # no context open anywhere: refused all the same (tests/test_asym_s37_threads.py)
        with pytest.raises(RuntimeError, match="thread that chose no modality"):
            pool.submit(shared.model, x).result()


def test_a_copy_made_inside_a_modality_context_has_none_open():
    import copy
    import io
    shared, x = _shared(), torch.randn(2, 3, 4, 4)
    with shared.modality(1):  # an EMA copy, a checkpoint of the whole network
        copies = [copy.deepcopy(shared)]
        buffer = io.BytesIO()
        torch.save(shared, buffer)
    buffer.seek(0)
    copies.append(torch.load(buffer, weights_only=False))
    for c in copies:
        with c.modality(0):  # the copy's layers are chosen by its own modality()
            assert torch.equal(c.model(x), shared([x, x])[0])
        with ThreadPoolExecutor(1) as pool, c.modality(1):
            with pytest.raises(RuntimeError, match="thread that chose no modality"):
                pool.submit(c.model, x).result()
