"""benchmarks/prune_error.py on a shared machine: its torch threads are
chosen with --threads, as every other timing script's are (or fixed to one)."""
import pytest
import torch

from benchmark_scripts import load_benchmark


def test_prune_error_runs_on_the_threads_it_is_given_and_gives_them_back(capsys):
    # before: no --threads (argparse's error), the run took every core
    module = load_benchmark("prune_error")
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert module.main(["--sizes", "64", "--prune", "16", "--repeats", "1",
                            "--threads", "1"]) == 0
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(old)
    out = capsys.readouterr().out
    assert " 1 torch thread(s)" in out and "| 64 | 16 |" in out


def test_prune_error_refuses_a_thread_count_in_one_line(capsys):
    with pytest.raises(SystemExit) as err:
        load_benchmark("prune_error").main(["--threads", "0"])
    assert err.value.code == 2
    text = capsys.readouterr().err
    assert len(text.strip().splitlines()) == 1 and "--threads" in text
