"""Where a training call runs: the accelerators it takes, their checks
before any data loads, and what a run's records say of them."""
from __future__ import annotations

import os


# The accelerators a training call takes: "gpu" is Lightning's name of
# "cuda" here; "auto" is CUDA when torch sees it, else the CPU. Apple's MPS is
# not offered: parts of training compute in float64 on the model's device
# (the threshold's tie decisions, accuracies, confusion matrices), which MPS
# lacks, and Lightning's own "auto" and "gpu" would choose it on a Mac.
ACCELERATORS = ("cpu", "gpu", "cuda", "auto")


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the system
    has one, as ``taskset`` or a container sets it; else ``os.cpu_count()``)."""
    if hasattr(os, "process_cpu_count"):  # Python >= 3.13
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# The most torch CPU threads a command may run in one process, per CPU it
# may use: threads beyond the CPUs only contend for them (the same numbers,
# slower), and a count far beyond fails in the runtime, not as an error of
# the setting (on 2 CPUs OpenMP aborted the process at 20,000 threads and
# 60,000 crashed it; torch's int overflowed at 10**12). 4 leaves room to
# oversubscribe on purpose, far below what a runtime fails to start.
THREADS_PER_CPU = 4


def max_threads() -> int:
    """The most torch CPU threads one process may run
    (``--threads``): :data:`THREADS_PER_CPU` times :func:`usable_cpus`."""
    return THREADS_PER_CPU * usable_cpus()


def cpu_bound(low: int) -> str:
    """The range ``low`` .. :func:`max_threads` as the errors of ``--threads``
    and ``--workers`` (flag or argument) say it.

    Args:
        low (int): the smallest count taken (1 threads, 0 workers).
    """
    return (f"an integer from {low} to {max_threads()} ({THREADS_PER_CPU} x the "
            f"{usable_cpus()} CPUs this process may use)")


def check_accelerator(accelerator: str, devices: int = 1) -> int:
    """Raises a :class:`ValueError` naming ``accelerator`` when it is not one
    of :data:`ACCELERATORS` or asks for CUDA that torch cannot use, or naming
    ``devices`` when it is no count (an int ``>= 1``; numpy's ints taken, a
    :class:`TypeError` for anything else) or asks for more processes than the
    accelerator has GPUs, or CPUs (:func:`usable_cpus`) on the CPU: before
    any data is loaded, rather than Lightning's error when the trainer is
    built (GPUs), or a launch of that many DDP processes (CPUs: Lightning
    takes any count, and processes beyond the CPUs give the same numbers,
    each holding its copy of the model and data, in more time).

    Args:
        accelerator (str): ``"cpu"``, ``"gpu"`` (= ``"cuda"``), ``"cuda"`` or ``"auto"``.
        devices (int, optional): processes (CPU) or GPUs. (default: :obj:`1`)

    Returns:
        int: ``devices`` as a Python int, as Lightning and the records take it.
    """
    import torch

    from ..functional._checks import check_int
    if accelerator not in ACCELERATORS:
        raise ValueError(f"accelerator must be one of {', '.join(ACCELERATORS)}, "
                         f"got {accelerator!r}")
    if accelerator in ("gpu", "cuda") and not torch.cuda.is_available():
        raise ValueError(f"accelerator {accelerator!r}: torch {torch.__version__} sees no "
                         f"CUDA device (torch.cuda.is_available() is False); use 'cpu' or "
                         f"'auto', or install a CUDA build of torch")
    # a count: anything else passed here, and Lightning read devices='2' as two DDP
    # processes past the CPU bound below, True as one, and failed on np.int64(2)
    # ('The truth value of an empty array is ambiguous') or 1.5, naming no argument
    devices = check_int("devices", devices, minimum=1)
    if devices == 1:
        return devices
    if resolve_accelerator(accelerator) == "cuda":
        if devices > torch.cuda.device_count():
            raise ValueError(f"devices {devices}: accelerator {accelerator!r} runs one process "
                             f"per GPU, and torch sees {torch.cuda.device_count()}")
    elif devices > usable_cpus():
        raise ValueError(f"devices {devices}: accelerator {accelerator!r} runs one process "
                         f"per CPU, and this process may use {usable_cpus()}")
    return devices


def check_threads(accelerator: str, devices: int, threads: int) -> None:
    """Raises a :class:`ValueError` naming ``devices`` and ``threads`` when
    ``devices`` processes on the CPU of ``threads`` torch threads each would
    run more threads than the CPUs this process may use
    (:func:`usable_cpus`): they would contend for the CPUs, slower than
    fewer threads, for the same numbers. Checks :func:`check_accelerator`
    first, so one thread per process (the CLI's default ``--threads``)
    always fits; on CUDA the threads only feed the GPUs and are not counted,
    nor those of one process (no DDP), whose bound, :func:`max_threads`, is
    ``--threads``' own.

    Args:
        accelerator (str): one of :data:`ACCELERATORS`.
        devices (int): processes (CPU) or GPUs.
        threads (int): torch CPU threads per process.
    """
    devices = check_accelerator(accelerator, devices)  # its own error first: too many devices
    if (devices <= 1 or resolve_accelerator(accelerator) != "cpu"
            or devices * threads <= usable_cpus()):
        return
    raise ValueError(f"devices {devices} x threads {threads}: {devices * threads} CPU threads "
                     f"(a process per device, each with its threads), and this process may "
                     f"use {usable_cpus()} CPUs; lower threads or devices")


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
    """What a run's records say of where it ran: the resolved accelerator,
    the device count (README's tables ran on the CPU; sums on a GPU differ
    in their last bits) and torch's CPU threads (``--threads``: another count
    can move the last digits of CPU sums, so a rerun needs it).

    Args:
        accelerator (str): one of :data:`ACCELERATORS`.
        devices (int, optional): processes (CPU) or GPUs. (default: :obj:`1`)
    """
    import torch
    from ..specs.options import plain
    # (a numpy count is no JSON: the records are written as JSON)
    return {"accelerator": resolve_accelerator(accelerator), "devices": plain(devices),
            "threads": torch.get_num_threads()}


def accelerator_device(accelerator: str):
    """The :class:`torch.device` that ``accelerator`` trains on, for the
    loops that score outside a trainer (the translation metrics).

    Args:
        accelerator (str): one of :data:`ACCELERATORS` (checked).
    """
    import torch
    check_accelerator(accelerator)
    return torch.device(resolve_accelerator(accelerator))
