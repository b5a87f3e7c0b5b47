"""What tests on several devices share."""
from contextlib import contextmanager

import torch


@contextmanager
def bitwise(device):
    """Where a test compares two computations bit for bit: on CUDA, sums by
    atomic adds (index_add_, scatter) follow no fixed order unless torch's
    deterministic algorithms are on (warn_only: an op without one warns)."""
    if device.type == "cpu":
        yield
        return
    old = (torch.are_deterministic_algorithms_enabled(),
           torch.is_deterministic_algorithms_warn_only_enabled())
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(old[0], warn_only=old[1])
