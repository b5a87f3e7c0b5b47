"""The machine a benchmark ran on, recorded beside its numbers."""
import os
import platform

import torch

# the CPUs this process may run on (taskset, a container's cpuset), which is
# what a run could use: the count the library checks --devices and --threads against
from pyg_fusion.training.accelerators import usable_cpus


def machine_info(device: str = "cpu") -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gib = None
    try:
        mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    # "cores": the usable CPUs, not the machine's, which overstate it under a
    # cpuset; the machine's count beside it only where the two differ
    cores, total = usable_cpus(), os.cpu_count()
    info = {"cpu": cpu, "cores": cores, "torch_threads": torch.get_num_threads(),
            "memory_gib": mem_gib, "python": platform.python_version(),
            "torch": torch.__version__, "platform": platform.platform()}
    if total is not None and total != cores:
        info["cores_total"] = total
    try:
        import torch_geometric
        info["torch_geometric"] = torch_geometric.__version__
    except ImportError:
        pass
    try:
        import torch_scatter
        info["torch_scatter"] = torch_scatter.__version__
    except ImportError:
        info["torch_scatter"] = None
    try:  # without faiss, knn="approx" searches exactly: its times and recall say so
        import faiss
        info["faiss"] = getattr(faiss, "__version__", "?")
    except ImportError:
        info["faiss"] = None
    if device.startswith("cuda") and torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    try:  # when this record was taken: the end of the run, for most scripts
        info["load"] = [round(v, 2) for v in os.getloadavg()]
    except (OSError, AttributeError):
        info["load"] = None
    return info


def machine_line(info: dict | None = None, threads: int | None = None) -> str:
    """One line of :func:`machine_info` for a printed table: the CPU (or GPU),
    its usable cores (of the machine's, where fewer), the threads of the
    measured runs, the versions and the load."""
    info = dict(info or machine_info())
    if threads is not None:
        info["torch_threads"] = threads
    versions = f"torch {info['torch']}"
    if info.get("torch_geometric"):
        versions += f", PyG {info['torch_geometric']}"
    if "faiss" in info:
        versions += (f", faiss {info['faiss']}" if info["faiss"] else
                     ", no faiss (knn=\"approx\" searched exactly)")
    load = info.get("load")
    load = "/".join(f"{v:.2f}" for v in load) if load else "?"
    cores = f"{info['cores']} cores"
    if info.get("cores_total") is not None:
        cores = f"{info['cores']} of {info['cores_total']} cores usable"
    return (f"machine: {info.get('gpu', info['cpu'])}, {cores}, "
            f"{info['torch_threads']} torch thread(s), {versions}, "
            f"load (1/5/15 min) {load}")
