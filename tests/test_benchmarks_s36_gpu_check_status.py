"""benchmarks/gpu_check.sh's exit status and last line, as the session that
holds a GPU lease reads them: a failed step that is not the last one (the
CUDA tests, before the compile tests) must not end in exit status 0, and a
step stopped at its cap is said as a timeout, not left to look like a pass.
The steps run with stub ``python3`` and ``timeout`` commands (no minutes of
tests): the stub ``timeout`` answers each step with the status it is given."""
import os
import subprocess

from benchmark_scripts import ROOT

SCRIPT = os.path.join(ROOT, "benchmarks", "gpu_check.sh")


def _run(tmp_path, steps: str, statuses: dict[str, int], cuda: bool = False):
    """gpu_check.sh with STEPS=``steps``, each step's command exiting with
    ``statuses[word]`` for the first word of ``statuses`` in its command
    line (else 0); ``cuda``: whether the stub python3 says CUDA is there."""
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "python3").write_text(
        "#!/bin/sh\ncase \"$*\" in *sys.exit*) exit %d ;; esac\n" % (0 if cuda else 1))
    cases = "".join(f'    *"{word}"*) echo "ran {word}"; exit {rc} ;;\n'
                    for word, rc in statuses.items())
    (stub / "timeout").write_text(
        f'#!/bin/sh\necho "$@" >> "{tmp_path / "calls"}"\ncase "$*" in\n{cases}esac\n')
    for f in stub.iterdir():
        f.chmod(0o755)
    env = {**os.environ, "STEPS": steps, "PATH": f"{stub}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", SCRIPT, str(tmp_path / "out")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, env=env)


def test_a_failed_step_before_the_last_makes_the_exit_status_and_is_named(tmp_path):
    # before: exit status 0, the last step's (compile), after the tests failed
    done = _run(tmp_path, "tests compile", {"not slow": 1})
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        f"gpu_check.sh: 1 failed: tests: exit status 1 (logs in {tmp_path / 'out'})")
    # the later step still ran
    assert "tests/test_compile.py" in (tmp_path / "calls").read_text()


def test_a_step_past_its_cap_is_said_as_a_timeout_in_its_log_and_at_the_end(tmp_path):
    done = _run(tmp_path, "tests chunks", {"not slow": 124, "knn_chunks": 137})
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(
        "gpu_check.sh: 2 failed: tests: timed out at its cap of 180 s; "
        "chunks: timed out at its cap of 60 s (logs in ")
    log = (tmp_path / "out" / "tests_cuda.log").read_text().splitlines()
    assert log == ["ran not slow", "gpu_check.sh: tests failed: timed out at its cap of 180 s"]
    # stopped with SIGINT (pytest then prints what ran and failed), killed 10 s on
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[0].startswith("-s INT -k 10 180 python3 -m pytest ")


def test_each_of_the_two_scaling_runs_is_checked(tmp_path):
    done = _run(tmp_path, "scaling", {"scaling_cuda.json": 1})
    assert done.returncode == 1
    assert "failed: scaling (scaling_cuda): exit status 1 (" in done.stderr.splitlines()[-1]


def test_no_test_selected_is_a_failure_only_where_cuda_is(tmp_path):
    # the CPU dry run: DEVICE=cuda's test steps select none, said, exit 0
    (tmp_path / "dry").mkdir()
    done = _run(tmp_path / "dry", "tests compile", {"pytest": 5})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "gpu_check.sh: tests: no test selected: no CUDA here (a dry run)" in lines
    assert lines[-1].startswith("gpu_check.sh: every step passed (tests compile; logs in ")
    # where CUDA is, a step that selects none checked nothing
    (tmp_path / "gpu").mkdir()
    done = _run(tmp_path / "gpu", "compile", {"pytest": 5}, cuda=True)
    assert done.returncode == 1
    assert "failed: compile: selected no test (" in done.stderr.splitlines()[-1]
