#!/usr/bin/env bash
# The GPU checks of the scale engine in one run, sized for a 15-minute device
# lease (the machine's start included): the tests on CUDA, the scaling
# benchmark with --device cuda from N = 4096 to 2^20, then the torch.compile
# tests on CUDA. Each step is capped; together under 9 minutes.
#
#   bash benchmarks/gpu_check.sh [OUT_DIR]
#
# Needs python3 with torch (CUDA), torch_geometric, lightning, scipy,
# scikit-learn, matplotlib, networkx, pyyaml, tqdm and pytest. faiss is
# optional: without a GPU build the CUDA kNN runs in torch. Wheels in .whl/
# (e.g. a faiss-gpu build) are installed into a scratch folder first.
# Writes OUT_DIR/{env.txt,tests_cuda.log,scaling_cuda.json,scaling_cuda.log,
# tests_cuda_compile.log}.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-${OUT:-gpu_check_out}}"
mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if compgen -G ".whl/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/pyg_fusion_site .whl/*.whl && export PYTHONPATH="$PYTHONPATH:/tmp/pyg_fusion_site"
fi
{
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
    python3 -c "import torch, torch_geometric as g; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0), 'pyg', g.__version__)"
    python3 -c "import faiss; print('faiss', faiss.__version__, 'gpus', getattr(faiss, 'get_num_gpus', lambda: 0)())" 2>&1 | tail -1
    git log --oneline -1 2>/dev/null
} > "$out/env.txt" 2>&1
cat "$out/env.txt"

# the device-parametrised tests (conftest.DEVICES adds "cuda" when visible)
timeout 90 python3 -m pytest -q -p no:cacheprovider -k cuda -m "not slow" tests \
    2>&1 | tee "$out/tests_cuda.log" | tail -25

timeout 330 python3 benchmarks/scaling.py --device cuda --features clustered \
    --sizes 4096 16384 65536 262144 1048576 --stages knn_approx powers fusion step bound \
    --repeats 3 --fusion-init random --json "$out/scaling_cuda.json" \
    2>&1 | tee "$out/scaling_cuda.log" | tail -30

# last, as the least needed: torch.compile with inductor on CUDA (marked slow)
timeout 120 python3 -m pytest -q -p no:cacheprovider -k cuda -m slow tests/test_compile.py \
    2>&1 | tee "$out/tests_cuda_compile.log" | tail -15
