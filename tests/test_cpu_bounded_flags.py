"""Counts of processes and threads a flag starts, bounded by the CPUs at
parsing (training.accelerators.max_threads), whichever command takes them."""
import pytest
from benchmark_scripts import load_benchmark

from pyg_fusion.training import accelerators


@pytest.mark.parametrize("action", ["train", "evaluate"])
def test_workers_far_beyond_the_cpus_are_named_at_parsing(tmp_path, capsys, monkeypatch,
                                                         action):
    """segment train --workers 1000000000000 hung: the data loader started
    worker processes until the machine ran out (each left running after the
    command was killed). --workers now takes 0 to 4 x the CPUs, as --threads
    does, on the command line and in a --config file alike; nothing runs."""
    from pyg_fusion.cli import build_parser, main
    monkeypatch.setattr(accelerators, "usable_cpus", lambda: 2)
    config = tmp_path / "c.yaml"
    config.write_text("data:\n  workers: 9\n")
    extra = ["--checkpoint", str(tmp_path / "none.ckpt")] if action == "evaluate" else []
    said = "expected an integer from 0 to 8 (4 x the 2 CPUs this process may use)"
    for given, value in ((["--workers", str(10 ** 12)], str(10 ** 12)),
                         (["--workers", "9"], "9"), (["--workers", "-1"], "-1")):
        with pytest.raises(SystemExit) as exit_:
            main(["segment", action, *extra, *given, "--out", str(tmp_path / "out")])
        assert exit_.value.code == 2
        assert capsys.readouterr().err == (
            f"pyg-fusion segment {action}: error: argument --workers: {said}, got {value} "
            f"(see pyg-fusion segment {action} --help)\n")
    # a config file's value is named by the file and its key (1e8ae82)
    assert main(["segment", action, *extra, "--config", str(config),
                 "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion segment {action}: error: --config {config}: workers: {said}, got 9\n")
    assert not (tmp_path / "out").exists()
    parser = build_parser()
    assert parser.parse_args(["segment", action, *extra, "--workers", "8"]).workers == 8
    assert parser.parse_args(["segment", action, *extra, "--workers", "0"]).workers == 0


@pytest.mark.parametrize("script", ["knn_chunks", "scaling", "sparse_vs_dense"])
def test_the_benchmarks_threads_have_the_cli_bound(tmp_path, capsys, monkeypatch, script):
    """The benchmarks' --threads took any positive integer: knn_chunks.py
    --threads 1000000000000 ended in torch's traceback 'ValueError: Overflow
    when unpacking long', and counts far beyond the CPUs abort or crash the
    process in the runtime. They now take the CLI's type (thread_count)."""
    monkeypatch.setattr(accelerators, "usable_cpus", lambda: 2)
    module = load_benchmark(script)
    for value in (str(10 ** 12), "9", "0"):
        with pytest.raises(SystemExit) as exit_:
            module.main(["--threads", value, "--json", str(tmp_path / "r.json")])
        assert exit_.value.code == 2
        assert capsys.readouterr().err == (
            f"{script}.py: error: argument --threads: expected an integer from 1 to 8 (4 x the "
            f"2 CPUs this process may use), got {value} (see {script}.py --help)\n")
    assert not (tmp_path / "r.json").exists()
