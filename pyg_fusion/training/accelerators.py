"""Where a training call runs: the accelerators it takes, their checks
before any data loads, and what a run's records say of them."""
from __future__ import annotations


# The accelerators a training call takes: "gpu" is Lightning's name of
# "cuda" here; "auto" is CUDA when torch sees it, else the CPU. Apple's MPS is
# not offered: parts of training compute in float64 on the model's device
# (the threshold's tie decisions, accuracies, confusion matrices), which MPS
# lacks, and Lightning's own "auto" and "gpu" would choose it on a Mac.
ACCELERATORS = ("cpu", "gpu", "cuda", "auto")


def check_accelerator(accelerator: str, devices: int = 1) -> None:
    """Raises a :class:`ValueError` naming ``accelerator`` when it is not one
    of :data:`ACCELERATORS` or asks for CUDA that torch cannot use, or naming
    ``devices`` when it asks for more GPUs than there are: before any data
    is loaded, rather than Lightning's error when the trainer is built.

    Args:
        accelerator (str): ``"cpu"``, ``"gpu"`` (= ``"cuda"``), ``"cuda"`` or ``"auto"``.
        devices (int, optional): processes (CPU) or GPUs. (default: :obj:`1`)
    """
    import torch
    if accelerator not in ACCELERATORS:
        raise ValueError(f"accelerator must be one of {', '.join(ACCELERATORS)}, "
                         f"got {accelerator!r}")
    if accelerator in ("gpu", "cuda") and not torch.cuda.is_available():
        raise ValueError(f"accelerator {accelerator!r}: torch {torch.__version__} sees no "
                         f"CUDA device (torch.cuda.is_available() is False); use 'cpu' or "
                         f"'auto', or install a CUDA build of torch")
    gpus = torch.cuda.device_count() if resolve_accelerator(accelerator) == "cuda" else None
    if gpus is not None and isinstance(devices, int) and devices > gpus:
        raise ValueError(f"devices {devices}: accelerator {accelerator!r} runs one process "
                         f"per GPU, and torch sees {gpus}")


def resolve_accelerator(accelerator: str) -> str:
    """Lightning's accelerator for one of :data:`ACCELERATORS`: ``"cuda"``
    for ``"gpu"``, and for ``"auto"`` when torch sees CUDA (else ``"cpu"``).

    Args:
        accelerator (str): the accelerator asked for.
    """
    import torch
    if accelerator == "gpu" or (accelerator == "auto" and torch.cuda.is_available()):
        return "cuda"
    return "cpu" if accelerator == "auto" else accelerator  # cpu, cuda


def hardware_record(accelerator: str, devices: int = 1) -> dict:
    """What a run's records say of where it ran: the resolved accelerator
    and the device count (README's tables ran on the CPU; sums on a GPU
    differ in their last bits).

    Args:
        accelerator (str): one of :data:`ACCELERATORS`.
        devices (int, optional): processes (CPU) or GPUs. (default: :obj:`1`)
    """
    return {"accelerator": resolve_accelerator(accelerator), "devices": devices}


def accelerator_device(accelerator: str):
    """The :class:`torch.device` that ``accelerator`` trains on, for the
    loops that score outside a trainer (the translation metrics).

    Args:
        accelerator (str): one of :data:`ACCELERATORS` (checked).
    """
    import torch
    check_accelerator(accelerator)
    return torch.device(resolve_accelerator(accelerator))
