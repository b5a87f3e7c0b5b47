"""``--force-reload``: the command line's way out of a damaged or stale
dataset cache (the library's ``force_reload=True``), one flag with one
meaning on every command that loads a cached dataset; an instruction to one
run, never recorded with it. Everything is written under tmp_path."""
import glob
import json
import os

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from pyg_fusion.cli import build_parser, main  # noqa: E402

DIGITS = ["--dataset", "digits", "--method", "single-mor", "--epochs", "1", "--no-progress"]


def _truncate(path, keep: int = 60) -> None:
    with open(path, "r+b") as f:
        f.truncate(keep)


def _one_error_line(capsys, prog: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(f"pyg-fusion {prog}: error:"), err
    return err


def test_a_damaged_cache_is_rebuilt_and_the_flag_is_not_recorded(tmp_path, capsys):
    root, out = tmp_path / "data", tmp_path / "run"
    assert main(["train", *DIGITS, "--root", str(root), "--out", str(out)]) == 0
    cache, = glob.glob(str(root / "digits" / "processed" / "digits_*.pt"))
    _truncate(cache)
    # before: the error names the flag, which the command did not have
    assert main(["train", *DIGITS, "--root", str(root), "--out", str(tmp_path / "r2")]) == 2
    assert "pass force_reload=True (pyg-fusion's --force-reload)" in _one_error_line(
        capsys, "train")
    out = tmp_path / "r3"
    assert main(["train", *DIGITS, "--root", str(root), "--out", str(out),
                 "--force-reload"]) == 0
    assert os.path.getsize(cache) > 100_000  # the same cache, rebuilt in place

    # neither the records nor the checkpoint hold it
    from pyg_fusion.experiments.checkpoints import load_train_checkpoint
    records = json.loads((out / "results.json").read_text())
    ckpt = out / "single-mor" / "seed0" / "checkpoints" / "best.ckpt"
    assert records and all(r["config"]["data"]["root"] == str(root) for r in records)
    assert "reload" not in json.dumps(records)
    assert "reload" not in repr(load_train_checkpoint(str(ckpt))[2])

    # so evaluating the checkpoint reads the cache as it is (no processing)...
    stamp = os.stat(cache).st_mtime_ns
    assert main(["evaluate", "--checkpoint", str(ckpt), "--out", str(tmp_path / "e1"),
                 "--no-progress"]) == 0
    assert os.stat(cache).st_mtime_ns == stamp
    # ...and rebuilds it only when told to
    _truncate(cache)
    assert main(["evaluate", "--checkpoint", str(ckpt), "--out", str(tmp_path / "e2"),
                 "--no-progress"]) == 2
    capsys.readouterr()
    assert main(["evaluate", "--checkpoint", str(ckpt), "--out", str(tmp_path / "e3"),
                 "--no-progress", "--force-reload"]) == 0
    assert os.path.getsize(cache) > 100_000


def test_print_config_leaves_it_out_and_a_config_file_may_not_hold_it(tmp_path, capsys):
    import yaml
    for argv, prog in ((["train", *DIGITS], "train"),
                       (["segment", "train"], "segment train"),
                       (["translate", "train"], "translate train")):
        assert main([*argv, "--force-reload", "--print-config"]) == 0
        printed = capsys.readouterr().out
        assert "reload" not in printed
        # a config is reused run after run: each would rebuild the caches again
        cfg = tmp_path / "run.yaml"
        cfg.write_text(yaml.safe_dump({**yaml.safe_load(printed), "force_reload": True}))
        assert main([*argv, "--config", str(cfg), "--out", str(tmp_path / "o")]) == 2
        assert "'force_reload' is no setting of a run but an instruction to one: give " \
               "--force-reload on the command line" in _one_error_line(capsys, prog)


def _tables(tmp_path):
    import numpy as np
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 12)
    np.save(tmp_path / "a.npy", rng.normal(y[:, None] * 2.0, 1.0, (36, 4)))
    np.savetxt(tmp_path / "y.csv", y, fmt="%d")
    return ["--dataset", "tables", "--views", str(tmp_path / "a.npy"), "--labels",
            str(tmp_path / "y.csv"), "--label-rate", "0.3", "--root", str(tmp_path / "data"),
            "--epochs", "1", "--no-progress", "--method", "single-a,feature-concat"]


def test_each_cache_is_rebuilt_once_per_command(tmp_path, monkeypatch):
    """A node dataset has one cache per split seed: the second seed's,
    damaged, is rebuilt too, each once however many methods train on it."""
    from pyg_fusion.datasets import MultiViewTables
    argv = _tables(tmp_path)
    assert main(["compare", *argv, "--seeds", "0,1", "--out", str(tmp_path / "c1")]) == 0
    seed1 = MultiViewTables(str(tmp_path / "data" / "tables"), [str(tmp_path / "a.npy")],
                            str(tmp_path / "y.csv"), label_rate=0.3, split_seed=1,
                            standardize=True, log=False).processed_paths[0]
    _truncate(seed1)
    processed = []
    process = MultiViewTables.process
    monkeypatch.setattr(MultiViewTables, "process",
                        lambda self: processed.append(self.options["split_seed"])
                        or process(self))
    assert main(["compare", *argv, "--seeds", "0,1", "--out", str(tmp_path / "c2"),
                 "--force-reload"]) == 0
    assert processed == [0, 1]
    assert os.path.getsize(seed1) > 1000


def test_sweep_generates_synthetic_vad_once_for_all_seeds(tmp_path, monkeypatch):
    """A sweep loaded the VAD data once per seed; forced, each load would
    have generated the data again."""
    from pyg_fusion.datasets import SyntheticVAD
    generated = []
    download = SyntheticVAD.download
    monkeypatch.setattr(SyntheticVAD, "download",
                        lambda self: generated.append(self.split) or download(self))
    argv = ["sweep", "--root", str(tmp_path / "data"), "--epochs", "1", "--seeds", "0,1",
            "--p", "1", "--q", "1", "--no-progress"]
    assert main([*argv, "--out", str(tmp_path / "s1")]) == 0
    assert main([*argv, "--out", str(tmp_path / "s2"), "--force-reload"]) == 0
    assert generated == ["train", "train"]  # once by the first run, once by the second


def test_generated_vad_is_generated_again(tmp_path, capsys):
    """A damaged generated feature file and a damaged cache of the test split
    recover with force_reload: the data is generated again (the same)."""
    from pyg_fusion.experiments.data import DataConfig, load_data
    cfg = DataConfig("synthetic-vad", str(tmp_path))
    first = load_data(cfg)
    folder = tmp_path / "synthetic_vad"
    feature = sorted(glob.glob(str(folder / "raw" / "*" / "domain0" / "features" / "*"
                                   / "*test*.npy")))[0]
    _truncate(feature)
    for cache in glob.glob(str(folder / "processed" / "vad_test_*.pt")):
        _truncate(cache)
    with pytest.raises(ValueError, match=r"are generated: delete that folder, or pass "
                       r"force_reload=True \(pyg-fusion's --force-reload\), and they are "
                       r"generated again"):
        load_data(cfg)
    again = load_data(cfg, force_reload=True)
    assert len(again.test) == len(first.test)
    assert all((a.x_i3d == b.x_i3d).all() for a, b in zip(first.test, again.test))


def test_digits_replaces_a_damaged_raw_copy_only(tmp_path):
    from pyg_fusion.datasets import MultiFeatureDigits
    first = MultiFeatureDigits(str(tmp_path), log=False)[0]
    raw = sorted(glob.glob(str(tmp_path / "raw" / "*.csv.gz")))
    stamps = {p: os.stat(p).st_mtime_ns for p in raw}
    _truncate(raw[0], 1000)
    with pytest.raises(ValueError, match=r"cut short.*; delete it, or pass force_reload=True "
                       r"\(pyg-fusion's --force-reload\), and the bundled copy replaces it"):
        MultiFeatureDigits(str(tmp_path), log=False)
    again = MultiFeatureDigits(str(tmp_path), log=False, force_reload=True)[0]
    assert (again.x_fac == first.x_fac).all() and (again.x_fou == first.x_fou).all()
    # the intact copies are kept: a new copy's stamp would rename every cache
    assert [os.stat(p).st_mtime_ns == stamps[p] for p in raw] == [False] + [True] * 5


def test_image_commands_pass_it_to_their_data(tmp_path, monkeypatch, capsys):
    import pyg_fusion.experiments.segment_run as S
    import pyg_fusion.experiments.translate_run as T
    seen = []

    def stop(*args, force_reload=False, **kw):
        seen.append(force_reload)
        raise ValueError("stop")
    monkeypatch.setattr(S, "segment_datasets", stop)
    monkeypatch.setattr(T, "translate_dataset", stop)
    out = str(tmp_path / "o")
    assert main(["segment", "train", "--root", str(tmp_path), "--out", out,
                 "--force-reload"]) == 2
    assert main(["translate", "train", "--root", str(tmp_path), "--out", out,
                 "--force-reload"]) == 2
    assert main(["translate", "train", "--root", str(tmp_path), "--out", out]) == 2
    assert seen == [True, True, False]
    capsys.readouterr()


def test_image_data_without_a_cache_refuses_it(tmp_path, capsys):
    out = str(tmp_path / "o")
    assert main(["segment", "train", "--data", "nyud", "--root", str(tmp_path), "--out", out,
                 "--force-reload"]) == 2
    assert "--force-reload: --data nyud is read from its files at every run; it has no " \
           "cache to rebuild" in _one_error_line(capsys, "segment train")
    assert main(["translate", "train", "--data", str(tmp_path), "--out", out,
                 "--force-reload"]) == 2
    assert "has no cache to rebuild" in _one_error_line(capsys, "translate train")


def test_synthetic_scenes_are_generated_again(tmp_path):
    from pyg_fusion.experiments.image_config import SegmentDataConfig, TranslateDataConfig
    from pyg_fusion.experiments.segment_run import segment_datasets
    from pyg_fusion.experiments.translate_run import translate_dataset
    seg = SegmentDataConfig(root=str(tmp_path / "seg"), size=16, num_train=2, num_test=2)
    first = segment_datasets(seg)[1][1]["rgb"]
    png = tmp_path / "seg" / "rgb" / "test_00001.png"
    png.write_bytes(png.read_bytes()[:40])
    with pytest.raises(ValueError, match=r"delete .*meta\.json, or pass force_reload=True "
                       r"\(pyg-fusion's --force-reload\), and they are generated again"):
        segment_datasets(seg)
    assert (segment_datasets(seg, force_reload=True)[1][1]["rgb"] == first).all()

    tr = TranslateDataConfig(root=str(tmp_path / "tr"), image_size=8)
    first = translate_dataset(tr, "val", 2, ["shade"], progress=False)
    _truncate(first.processed_paths[0])
    with pytest.raises(ValueError, match=r"--force-reload"):
        translate_dataset(tr, "val", 2, ["shade"], progress=False)
    again = translate_dataset(tr, "val", 2, ["shade"], progress=False, force_reload=True)
    assert (again[1].x_shade == first[1].x_shade).all()


def test_one_flag_with_one_meaning():
    def walk(p):
        yield p
        for a in p._actions:
            if a.__class__.__name__ == "_SubParsersAction":
                for sub in a.choices.values():
                    yield from walk(sub)

    found = {p.prog: a for p in walk(build_parser()) for a in p._actions
             if "--force-reload" in a.option_strings}
    assert set(found) == {f"pyg-fusion {c}" for c in (
        "train", "evaluate", "compare", "sweep", "demo", "plot", "segment train",
        "segment evaluate", "translate train", "translate evaluate")}
    assert len({a.help for a in found.values()}) == 1
    assert all(a.default is False and a.nargs == 0 for a in found.values())


def test_plot_rebuilds_the_cache_of_its_dataset(tmp_path, capsys):
    argv = ["plot", "relation-graph", "--dataset", "synthetic-vad", "--root", str(tmp_path),
            "--max-nodes", "20"]
    assert main([*argv, "--out", str(tmp_path / "a.png")]) == 0
    cache, = glob.glob(str(tmp_path / "synthetic_vad" / "processed" / "vad_test_*.pt"))
    _truncate(cache)
    assert main([*argv, "--out", str(tmp_path / "b.png")]) == 2
    assert "--force-reload" in _one_error_line(capsys, "plot")
    assert main([*argv, "--out", str(tmp_path / "c.png"), "--force-reload"]) == 0
    assert (tmp_path / "c.png").stat().st_size > 0
    # a figure read from a file has no dataset to rebuild
    assert main(["plot", "relation-graph", "--input", cache, "--out", str(tmp_path / "d.png"),
                 "--force-reload"]) == 2
    assert "--force-reload rebuilds the cache of the data of --checkpoint or --dataset" in \
        _one_error_line(capsys, "plot")
