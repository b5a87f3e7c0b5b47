#!/usr/bin/env bash
# The GPU checks of the scale engine, sized for a 15-minute device lease (the
# machine's start, about 35 s, included) as two calls made back to back (the
# machine goes back after 30 s idle, and one call may run 10 minutes):
#
#   STEPS="tests machine compile" bash benchmarks/gpu_check.sh OUT_DIR  # caps: 180 + 150 + 240 s
#   STEPS="scaling chunks" bash benchmarks/gpu_check.sh OUT_DIR         # caps: 420 + 60 s
#
# The caps bound each call (570 s and 480 s, under the 10 minutes of one);
# together they exceed the lease, which the steps' usual times fit. The tests
# step's cap holds the collection of every test and some 500 CUDA runs: at
# dbcf47f the H200 took 28 s for 1600 tests' collection and 25 CUDA runs; now
# the collection of 5300 takes 19 s of CPU (50-90 s of wall time on the shared
# 2-core machine), and the CUDA runs' CPU twins 146 s of wall time there.
# A step past its cap is stopped with SIGINT, so pytest still prints what ran
# and what failed, and scaling.py keeps the sizes it measured in its JSON.
# The exit status is 1 if any step failed, a timeout at its cap included; the
# last line names the failed steps and why. Without CUDA, a test step of
# DEVICE=cuda that selects no test is said, and no failure (the dry run below).
#
# tests: the device-parametrised tests on CUDA; machine: the tests that run
# differently where a GPU is (training with --accelerator gpu against the CPU,
# and CLI runs that must print nothing but their own output: Lightning warns
# of an unused GPU); scaling: benchmarks/scaling.py
# --device cuda, N = 4096 to 262144 (median of 3), then 2^20 (one run);
# chunks: benchmarks/knn_chunks.py, the torch kNN's block rows at N = 262144;
# compile: the torch.compile tests (inductor, marked slow) on CUDA.
# A call that fails wastes the lease, so dry-run both here on the CPU first,
# with faiss hidden as on the device image (not installed: ModuleNotFoundError,
# which pytest.importorskip skips on; a bare ImportError fails the collection);
# without CUDA the test steps collect every test and select those named after it:
#   mkdir -p /tmp/nofaiss && echo 'raise ModuleNotFoundError("faiss")' > /tmp/nofaiss/faiss.py
#   PYTHONPATH=/tmp/nofaiss STEPS="tests compile" bash benchmarks/gpu_check.sh /tmp/dry
#   PYTHONPATH=/tmp/nofaiss DEVICE=cpu SIZES=1024 BIG=2048 CHUNK_N=4096 \
#       STEPS="scaling chunks" bash benchmarks/gpu_check.sh /tmp/dry
#
# Needs python3 with torch (CUDA), torch_geometric, lightning, scipy,
# scikit-learn, matplotlib, networkx, pyyaml, tqdm and pytest. faiss is
# optional: without a GPU build the CUDA kNN runs in torch. Wheels in .whl/
# (e.g. a faiss-gpu build) are installed into a scratch folder first.
# Writes OUT_DIR/{env.txt,tests_cuda.log,tests_machine.log,scaling_cuda.{json,log},
# scaling_cuda_big.{json,log},knn_chunks_cuda.{json,log},tests_cuda_compile.log}.
# OUT_DIR defaults to $OUT, else runs/gpu_check (ignored by git, as the other
# benchmarks' runs/ defaults), from the folder it is run from.
set -uo pipefail
case "${1:-}" in  # before anything runs or is made: OUT_DIR is the only argument
    -h|--help) sed -n '2,/^set -uo pipefail/{/^set /d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "gpu_check.sh: error: unknown option '$1' (usage: [STEPS=...] bash benchmarks/gpu_check.sh OUT_DIR; see --help)" >&2
        exit 2 ;;
esac
out="${1:-${OUT:-runs/gpu_check}}"
# OUT_DIR as the caller named it, from the caller's folder: the steps run from the repository
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
cd "$(dirname "$0")/.."
steps="${STEPS:-tests machine scaling chunks compile}"
dev="${DEVICE:-cuda}"
for step in $steps; do  # all checked before the first runs: a typo must not cost the lease
    case "$step" in
        tests|machine|scaling|chunks|compile) ;;
        *) echo "gpu_check.sh: error: unknown step '$step' in STEPS (expected tests, machine, scaling, chunks or compile)" >&2
           exit 2 ;;
    esac
done
mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
failed=()  # each failed step, with why: said at the end, and the exit status 1
if compgen -G ".whl/*.whl" > /dev/null; then
    if python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
            --target /tmp/pyg_fusion_site .whl/*.whl; then
        export PYTHONPATH="$PYTHONPATH:/tmp/pyg_fusion_site"
    else  # the steps run all the same, without the wheels (env.txt says what they had)
        failed+=("wheels: pip could not install .whl/*.whl")
    fi
fi
{
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
    python3 -c "import torch, torch_geometric as g; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.is_available() and torch.cuda.get_device_name(0), 'pyg', g.__version__)"
    python3 -c "import faiss; print('faiss', faiss.__version__, 'gpus', getattr(faiss, 'get_num_gpus', lambda: 0)())" 2>&1 | tail -1
    git log --oneline -1 2>/dev/null
} > "$out/env.txt" 2>&1
cat "$out/env.txt"

run_step() {  # name, cap in seconds, log file, lines shown, the command
    local name=$1 cap=$2 log=$3 shown=$4 rc why
    shift 4
    # SIGINT at the cap: pytest stops and still prints what ran and what failed,
    # scaling.py keeps the sizes it measured; SIGKILL if it is still there 10 s on
    timeout -s INT -k 10 "$cap" "$@" 2>&1 | tee "$log" | tail -"$shown"
    rc=${PIPESTATUS[0]}
    case $rc in
        0) return ;;
        124|137) why="timed out at its cap of $cap s" ;;
        5)  # pytest selected no test: expected only where CUDA is missing
            if [ "$dev" != cpu ] && ! python3 -c "import sys, torch; sys.exit(not torch.cuda.is_available())" 2>/dev/null; then
                echo "gpu_check.sh: $name: no test selected: no CUDA here (a dry run)" | tee -a "$log"
                return
            fi
            why="selected no test" ;;
        *) why="exit status $rc" ;;
    esac
    failed+=("$name: $why")
    echo "gpu_check.sh: $name failed: $why" | tee -a "$log" >&2
}
scaling() {  # cap, json/log stem, repeats, sizes
    run_step "scaling ($2)" "$1" "$out/$2.log" 12 python3 benchmarks/scaling.py \
        --device "$dev" --features clustered --sizes $4 \
        --stages knn_approx powers fusion step bound \
        --repeats "$3" --fusion-init random --json "$out/$2.json"
}
for step in $steps; do
    case "$step" in
        tests)  # conftest.DEVICES adds "cuda" when visible
            run_step tests 180 "$out/tests_cuda.log" 8 \
                python3 -m pytest -q -p no:cacheprovider -k "$dev" -m "not slow" tests ;;
        machine)
            run_step machine 150 "$out/tests_machine.log" 8 \
                python3 -m pytest -q -p no:cacheprovider tests/test_accelerator.py \
                tests/test_cli_vad.py tests/test_asym_train.py tests/test_translation_eval.py \
                tests/test_benchmarks_image.py tests/test_side_effects.py ;;
        scaling)  # at 2^20 the torch kNN (no faiss GPU) alone took 29 s on an H200
            scaling 150 scaling_cuda 3 "${SIZES:-4096 16384 65536 262144}"
            scaling 270 scaling_cuda_big 1 "${BIG:-1048576}" ;;
        chunks)
            run_step chunks 60 "$out/knn_chunks_cuda.log" 8 \
                python3 benchmarks/knn_chunks.py --device "$dev" --sizes "${CHUNK_N:-262144}" \
                --chunks 512 2048 8192 --json "$out/knn_chunks_cuda.json" ;;
        compile)  # inductor + triton: about 40 s per test on an H200
            run_step compile 240 "$out/tests_cuda_compile.log" 8 \
                python3 -m pytest -q -p no:cacheprovider -k "$dev" -m slow tests/test_compile.py ;;
    esac
done
if [ ${#failed[@]} -gt 0 ]; then
    printf -v said '; %s' "${failed[@]}"
    echo "gpu_check.sh: ${#failed[@]} failed: ${said:2} (logs in $out)" >&2
    exit 1
fi
echo "gpu_check.sh: every step passed ($steps; logs in $out)"
