"""Training and scoring the graph tasks on an accelerator: ``--accelerator`` /
``accelerator=`` (cpu by default), its checks, and on a machine with a GPU
the same results as on the CPU."""
import json
import os
import warnings

import pytest
import torch

from pyg_fusion.cli import main
from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.node import fit_node
from pyg_fusion.training import accelerators
from pyg_fusion.training.accelerators import (ACCELERATORS, check_accelerator,
                                              check_threads, usable_cpus)
from pyg_fusion.training.trainer import quiet_lightning

from test_cli_vad import _user_args
from test_training_node import _toy_graph

GPU = torch.cuda.is_available()


def _records(path):
    """The metrics of a results.json (not its times)."""
    return {r["metric"]: r["mean"] for r in json.loads(path.read_text())
            if not r["metric"].startswith("time")}


@pytest.mark.skipif(GPU, reason="a GPU is there: --accelerator gpu is not an error")
def test_a_gpu_that_torch_does_not_see_is_a_one_line_error(tmp_path, capsys):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["train", "--method", "graph-mean", "--epochs", "1", "--accelerator", "gpu",
              "--out", str(out), "--no-progress"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--accelerator" in err and "sees no CUDA device" in err and "'cpu' or 'auto'" in err
    assert not out.exists()  # refused before any data loads or folder is made
    with pytest.raises(ValueError, match="accelerator 'cuda': torch .* sees no CUDA device"):
        fit_node(build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5),
                 _toy_graph(), out_dir=tmp_path / "py", epochs=1, accelerator="cuda",
                 progress=False, checkpoint=False)


def test_an_unknown_accelerator_names_the_choices(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--accelerator", "tpu", "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    assert "accelerator must be one of cpu, gpu, cuda, auto, got 'tpu'" in \
        capsys.readouterr().err
    for name in ("GPU", "mps", "tpu"):  # MPS lacks float64, which training uses on the device
        with pytest.raises(ValueError, match="accelerator must be one of cpu, gpu, cuda, auto"):
            check_accelerator(name)
    assert ACCELERATORS == ("cpu", "gpu", "cuda", "auto")


def _lightning_sees_a_gpu(monkeypatch):
    import lightning.pytorch.trainer.setup as setup
    monkeypatch.setattr(setup.CUDAAccelerator, "is_available", staticmethod(lambda: True))
    return setup


def test_lightnings_advice_to_use_the_gpu_is_not_repeated(monkeypatch):
    """Lightning warns "GPU available but not used" on every CPU run of a
    machine with a GPU; here the accelerator is always chosen explicitly."""
    setup = _lightning_sees_a_gpu(monkeypatch)
    trainer = type("Trainer", (), {"accelerator": None, "num_devices": 1})()
    for quiet in (False, True):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with quiet_lightning() if quiet else warnings.catch_warnings():
                setup._log_device_info(trainer)
        said = any("GPU available but not used" in str(w.message) for w in caught)
        assert said is not quiet


def test_a_cpu_run_on_a_gpu_machine_prints_only_its_own_output(tmp_path, capsys, run_noise,
                                                               monkeypatch):
    """As the tests of quiet CLI runs assert: they would fail on a GPU machine."""
    _lightning_sees_a_gpu(monkeypatch)
    assert main(["train", "--method", "graph-mean", "--epochs", "1", "--root",
                 str(tmp_path / "data"), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    assert run_noise() == [] and capsys.readouterr().err == ""


@pytest.mark.skipif(GPU, reason="auto picks the GPU on this machine")
def test_auto_without_a_gpu_is_the_cpu_run(tmp_path):
    """The same records, digit for digit, as the default."""
    runs = {}
    for acc in ("cpu", "auto"):
        out = tmp_path / acc
        assert main(["compare", "--method", "graph-mean", "--seeds", "0", "--epochs", "3",
                     "--root", str(tmp_path / "data"),
                     "--accelerator", acc, "--out", str(out), "--no-progress"]) == 0
        runs[acc] = _records(out / "results.json")
        assert {r["accelerator"] for r in json.loads((out / "results.json").read_text())} \
            == {"cpu"}  # where the run ran, resolved
    assert runs["cpu"] == runs["auto"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("task", ["node", "vad"])
def test_training_on_the_gpu_matches_the_cpu(task, tmp_path):
    """Train, test and evaluate on the GPU: the checkpoint scores as the run
    did, and the metric is near the CPU run's. Near, not equal: float32 sums
    in another order, and a kNN tie broken differently, change the graph and
    so the training (a sanity bound: 0.05 of accuracy over 400 test nodes,
    0.1 of AUC over 6 test videos)."""
    if task == "node":
        data = ["--dataset", "digits", "--root", str(tmp_path / "data"), "--method", "lego",
                "--epochs", "5"]
        metric, bound = "accuracy", 0.05
    else:  # a small feature set in the RTFM layout, read through --dataset vad
        root = tmp_path / "vad"
        ds = SyntheticVAD(str(root), "test", num_videos=(8, 6), snippets=(8, 12),
                          num_segments=8, log=False)
        data = [*_user_args(root, ds.tag), "--method", "lego", "--epochs", "3"]
        metric, bound = "auc", 0.1
    got = {}
    for acc in ("cpu", "gpu"):
        out = tmp_path / acc
        assert main(["train", *data, "--accelerator", acc, "--out", str(out),
                     "--no-progress"]) == 0
        got[acc] = _records(out / "results.json")[metric]
        ckpt = out / "lego" / "seed0" / "checkpoints" / "best.ckpt"
        assert main(["evaluate", "--checkpoint", str(ckpt), "--accelerator", acc,
                     "--out", str(tmp_path / f"eval_{acc}"), "--no-progress"]) == 0
        # on the GPU atomics may move a score's last bits, and a tie with it
        assert _records(tmp_path / f"eval_{acc}" / "results.json")[metric] == \
            pytest.approx(got[acc], abs=1e-6 if acc == "cpu" else 1e-3)
    assert got["gpu"] == pytest.approx(got["cpu"], abs=bound)


@pytest.mark.parametrize("command", [["train"], ["compare"], ["evaluate"], ["sweep"], ["demo"],
                                     ["segment", "train"], ["segment", "evaluate"],
                                     ["translate", "train"], ["translate", "evaluate"]])
def test_every_command_that_trains_or_scores_takes_the_accelerator(command, capsys):
    """One declaration (cli._process), the same names and check everywhere."""
    with pytest.raises(SystemExit) as exc:
        main([*command, "--accelerator", "tpu", "--out", "o",
              *(["--checkpoint", "c.ckpt"] if "evaluate" in command else [])])
    assert exc.value.code == 2
    assert "argument --accelerator: accelerator must be one of" in capsys.readouterr().err


def test_the_device_of_each_accelerator():
    from pyg_fusion.training.accelerators import accelerator_device
    assert accelerator_device("cpu") == torch.device("cpu")
    assert accelerator_device("auto").type == ("cuda" if GPU else "cpu")
    if not GPU:
        with pytest.raises(ValueError, match="accelerator 'gpu'"):
            accelerator_device("gpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("task", ["segment", "translate"])
def test_image_training_on_the_gpu_matches_the_cpu(task, tmp_path):
    """The image commands on the GPU: the scores of the CPU run, to the
    rounding of cuDNN (TF32 convolutions) over one short epoch."""
    if task == "segment":
        args = ["segment", "train", "--root", str(tmp_path / "data"), "--size", "32",
                "--num-train", "8", "--num-test", "2", "--batch-size", "4", "--layers",
                "1,1,1,1", "--width", "4", "--decoder-features", "8", "--light", "--epochs", "1"]
        read = lambda m: m["scores"]["ensemble"]["pixel_acc"]  # noqa: E731
    else:
        args = ["translate", "train", "--root", str(tmp_path / "data"), "--image-size", "16",
                "--batch-size", "8", "--num-train", "8", "--num-val", "4", "--epochs", "1",
                "--ngf", "4", "--ndf", "4"]
        read = lambda m: m["metrics"]["ensemble"]["l1"]  # noqa: E731
    got = {}
    for acc in ("cpu", "gpu"):
        out = tmp_path / acc
        assert main([*args, "--accelerator", acc, "--out", str(out), "--no-progress"]) == 0
        got[acc] = read(json.loads((out / "metrics.json").read_text()))
    assert got["gpu"] == pytest.approx(got["cpu"], abs=0.05)


def test_more_devices_than_gpus_is_named_before_the_data_loads(tmp_path, capsys, monkeypatch):
    """Lightning's own error (a MisconfigurationException, after the data had
    loaded) was a traceback."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # one GPU, as Lightning sees
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match="devices 2: accelerator 'gpu' runs one process per "
                                         "GPU, and torch sees 1"):
        check_accelerator("gpu", 2)
    check_accelerator("gpu", 1)
    monkeypatch.setattr(accelerators, "usable_cpus", lambda: 2)
    check_accelerator("cpu", 2)  # CPU processes
    out = tmp_path / "o"
    assert main(["train", "--accelerator", "auto", "--devices", "2", "--out", str(out),
                 "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "devices 2" in err and not out.exists()


def test_more_cpu_processes_than_cpus_is_named_before_the_data_loads(tmp_path, capsys,
                                                                     monkeypatch):
    """Lightning takes any number of CPU processes: --devices 10000 on two
    CPUs launched 10000 DDP processes (each with its copy of the model and
    data) for the numbers one process gives."""
    assert 1 <= usable_cpus() <= os.cpu_count()
    monkeypatch.setattr(accelerators, "usable_cpus", lambda: 2)
    check_accelerator("cpu", 2)
    message = "devices 3: accelerator 'cpu' runs one process per CPU, and this process may use 2"
    for accelerator in ("cpu", "auto") if not GPU else ("cpu",):
        with pytest.raises(ValueError, match=message.replace("'cpu'", repr(accelerator))):
            check_accelerator(accelerator, 3)
    from pyg_fusion.training.trainer import check_schedule
    with pytest.raises(ValueError, match=message):
        check_schedule(1, 1, 3)
    ckpt = tmp_path / "x.ckpt"  # (a torch file: a missing or empty one is said first)
    torch.save({}, ckpt)
    for command in (["train"], ["compare"], ["sweep"], ["evaluate", "--checkpoint", str(ckpt)]):
        out, root = tmp_path / command[0], tmp_path / "data"
        argv = [*command, "--devices", "3", "--out", str(out), "--no-progress"]
        assert main(argv + ([] if command[0] == "evaluate" else ["--root", str(root)])) == 2
        err = capsys.readouterr().err.strip()
        assert err == f"pyg-fusion {command[0]}: error: {message}", err
        assert not out.exists() and not root.exists()


def test_more_threads_than_cpus_over_the_processes_is_named_before_the_data_loads(
        tmp_path, capsys, monkeypatch):
    """Each DDP process on the CPU runs --threads threads: --devices 2
    --threads 3 on four CPUs started 6 threads (with OMP_NUM_THREADS set;
    without it, Lightning replaced --threads by CPUs // devices)."""
    monkeypatch.setattr(accelerators, "usable_cpus", lambda: 4)
    message = ("devices 2 x threads 3: 6 CPU threads (a process per device, each with its "
               "threads), and this process may use 4 CPUs; lower threads or devices")
    ckpt = tmp_path / "x.ckpt"  # (a torch file: a missing or empty one is said first)
    torch.save({}, ckpt)
    for command in (["train"], ["compare"], ["sweep"], ["evaluate", "--checkpoint", str(ckpt)]):
        out, root = tmp_path / command[0], tmp_path / "data"
        argv = [*command, "--devices", "2", "--threads", "3", "--out", str(out), "--no-progress"]
        assert main(argv + ([] if command[0] == "evaluate" else
                            ["--root", str(root), "--epochs", "1", "--seeds", "0"])) == 2
        err = capsys.readouterr().err.strip()
        assert err == f"pyg-fusion {command[0]}: error: {message}", err
        assert not out.exists() and not root.exists()
    check_threads("cpu", 2, 2)  # 4 threads on 4 CPUs: fits
    check_threads("cpu", 1, 8)  # one process: --threads alone, as without --devices
    with pytest.raises(ValueError, match="devices 5: accelerator 'cpu' runs one process per "
                                         "CPU, and this process may use 4"):
        check_threads("cpu", 5, 1)  # the devices' own error first


def test_threads_far_beyond_the_cpus_are_named_at_parsing(tmp_path, capsys, monkeypatch):
    """--threads 10**12 ended in torch's 'Overflow when unpacking long' (no
    flag named); on two CPUs 20000 made OpenMP abort the process and 60000
    crashed it. The flag now takes at most THREADS_PER_CPU x the CPUs (no
    count here is applied: each is refused, or only parsed)."""
    from pyg_fusion.cli import build_parser
    monkeypatch.setattr(accelerators, "usable_cpus", lambda: 2)
    assert accelerators.max_threads() == accelerators.THREADS_PER_CPU * 2 == 8
    message = "expected an integer from 1 to 8 (4 x the 2 CPUs this process may use)"
    config = tmp_path / "c.yaml"
    config.write_text("threads: 9\n")
    for command, prog in ((["train"], "train"), (["segment", "train"], "segment train"),
                          (["plot", "adjacency"], "plot")):
        for given in (["--threads", "9"], ["--threads", str(10 ** 12)], ["--threads", "0"],
                      *([["--config", str(config)]] if prog != "plot" else [])):
            out = tmp_path / "out"
            if given[0] == "--config":
                # a config file's value is named by the file and its key (1e8ae82)
                assert main([*command, *given, "--out", str(out)]) == 2
                err = capsys.readouterr().err.strip()
                assert err == (f"pyg-fusion {prog}: error: --config {config}: threads: "
                               f"{message}, got 9"), err
                assert not out.exists()
                continue
            with pytest.raises(SystemExit) as exit_:
                main([*command, *given, "--out", str(out)])
            assert exit_.value.code == 2
            err = capsys.readouterr().err.strip()
            assert err.startswith(f"pyg-fusion {prog}: error: argument --threads: "
                                  f"{message}, got {given[1]}"), err
            assert not out.exists()
    parser = build_parser()
    assert parser.parse_args(["train", "--threads", "8"]).threads == 8
    help_text = " ".join(parser._subparsers._group_actions[0].choices["train"]
                         .format_help().split())
    assert "At most 4 x the CPUs this process may use" in help_text


def test_ddp_processes_keep_threads_through_lightnings_launcher(monkeypatch):
    """Lightning's launcher gives each DDP process CPUs // devices threads
    unless OMP_NUM_THREADS is set: the command sets it to --threads while it
    runs (and only then), so that --threads holds in every process."""
    from argparse import Namespace
    from pyg_fusion.cli._process import command_settings
    monkeypatch.setattr(accelerators, "usable_cpus", lambda: 4)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    before = torch.get_num_threads()
    with command_settings(Namespace(threads=2, devices=2, accelerator="cpu")):
        assert os.environ["OMP_NUM_THREADS"] == "2" and torch.get_num_threads() == 2
    assert "OMP_NUM_THREADS" not in os.environ and torch.get_num_threads() == before
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    with command_settings(Namespace(threads=1, devices=2, accelerator="cpu")):
        assert os.environ["OMP_NUM_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "3"
    with command_settings(Namespace(threads=1, devices=1, accelerator="cpu")):
        assert os.environ["OMP_NUM_THREADS"] == "3"  # one process: Lightning sets nothing


def test_build_trainer_refuses_a_bad_accelerator_before_writing_or_seeding(tmp_path):
    from pyg_fusion.training.trainer import build_trainer
    torch.manual_seed(123)
    before = torch.get_rng_state()
    with pytest.raises(ValueError, match="accelerator"):
        build_trainer(tmp_path / "run", accelerator="tpu-ish", seed=0)
    assert not (tmp_path / "run").exists()
    assert torch.equal(torch.get_rng_state(), before)
