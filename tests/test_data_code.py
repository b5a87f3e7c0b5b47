"""Processed caches and generated data made by other code (an earlier
release, a checkout before a fix) are made again, never loaded: the cache
file's name and the generator's marker carry a hash of the source of the
code that makes data (``pyg_fusion.datasets._cache_names.DATA_CODE``), whereas the
package's version never changes."""
import ast
import glob
import json
import os
import os.path as osp
import shutil

import numpy as np
import torch

import pyg_fusion
from pyg_fusion.datasets import RecordingStreamsVAD, SyntheticVAD, VADFeatures
from pyg_fusion.datasets import _cache_names
from pyg_fusion.datasets import synthetic_vad as S

PACKAGE = osp.dirname(pyg_fusion.__file__)
VIDEOS = {"fight_1": 5, "walk_2": 4}  # abnormal first


def _next_release(tmp_path, monkeypatch, module: str) -> str:
    """The package as a later release ships it: a copy whose ``module`` file
    differs (the fix whose behaviour each test patches in)."""
    copy = tmp_path / "next_release"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / module
    path.write_text(path.read_text(encoding="utf-8") + "\n# a fix\n", encoding="utf-8")
    monkeypatch.setattr(_cache_names, "_PACKAGE", str(copy), raising=False)
    return str(copy)


def _vad(root):
    return VADFeatures(str(root), "test", sources={"rgb": "rgb"}, test_list="test.list",
                       num_abnormal=1, num_segments=None, log=False)


def test_a_cache_processed_by_other_code_is_processed_again(tmp_path, monkeypatch):
    """The cache of the code before a fix of process() was loaded by the
    fixed code (one name: options, pre_transform and file stamps only), so
    the fix never reached a user's data without --force-reload."""
    rng = np.random.default_rng(0)
    (tmp_path / "raw" / "rgb").mkdir(parents=True)
    for name, T in VIDEOS.items():
        np.save(tmp_path / "raw" / "rgb" / f"{name}.npy", rng.normal(size=(T, 3)).astype("f4"))
    (tmp_path / "raw" / "test.list").write_text("".join(f"rgb/{n}.npy\n" for n in VIDEOS))
    old = _vad(tmp_path)
    path, x = old.processed_paths[0], old[0].x_rgb.clone()

    # the next release: vad.py differs, and its process() makes other data
    _next_release(tmp_path, monkeypatch, "datasets/vad.py")
    make = VADFeatures._make

    def fixed(self, *args, **kwargs):
        out = make(self, *args, **kwargs)
        for data in out:
            data.x_rgb = 2 * data.x_rgb
        return out

    monkeypatch.setattr(VADFeatures, "_make", fixed)
    new = _vad(tmp_path)
    assert new.processed_paths[0] != path
    assert torch.equal(new[0].x_rgb, 2 * x)  # processed by the new code
    assert osp.isfile(path)  # the earlier release's cache is left as it was
    mtime = os.stat(new.processed_paths[0]).st_mtime_ns
    again = _vad(tmp_path)  # the same code: the same name, loaded
    assert again.processed_paths[0] == new.processed_paths[0]
    assert os.stat(again.processed_paths[0]).st_mtime_ns == mtime


def test_the_same_code_names_the_same_caches(tmp_path):
    """The hash is of the files' bytes, not of where they lie or when they
    were written: another install of the same code keeps the names."""
    def copy(name, edit=None):  # a folder per copy: the hash is read once per folder
        shutil.copytree(PACKAGE, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        if edit is not None:
            (tmp_path / name / edit).write_text("# changed\n")
        return _cache_names._code_hash(str(tmp_path / name))

    assert copy("same") == _cache_names.data_code_hash()
    assert copy("model_edited", "nn/heads.py") == _cache_names.data_code_hash()  # uses data only
    assert copy("features_edited", "datasets/snippet_features.py") != _cache_names.data_code_hash()


def test_data_generated_by_other_code_is_generated_again(tmp_path, monkeypatch):
    """SyntheticVAD's folder was named by its options alone: after a fix of
    the generator the old features stayed (and were processed again into the
    new cache). They are now generated again, in the same folder."""
    kw = dict(split="test", num_videos=(4, 4), snippets=(6, 9), num_segments=None, log=False)
    old = SyntheticVAD(str(tmp_path), **kw)
    x = old[0].x_i3d.clone()
    _next_release(tmp_path, monkeypatch, "datasets/synthetic_vad.py")
    save = S.save_npy
    monkeypatch.setattr(S, "save_npy", lambda path, a: save(
        path, 2 * a if f"{os.sep}features{os.sep}" in path else a))
    new = SyntheticVAD(str(tmp_path), **kw)
    assert new.tag == old.tag
    assert torch.equal(new[0].x_i3d, 2 * x)
    with open(osp.join(new.generated_folder, "synthetic.json"), encoding="utf-8") as f:
        assert json.load(f)["code"] == _cache_names.data_code_hash()


def test_streams_from_a_release_that_recorded_no_code_are_built_again(tmp_path):
    """A record written before the code was recorded: which code made the
    streams is unknown, so they are made again (once); a folder of other
    options is still an error, never built over."""
    rng = np.random.default_rng(0)
    X = [k + rng.normal(size=(2, 8 * 7)) for k in (0, 1) for _ in range(3)]
    y = [a for a in ("sit", "run") for _ in range(3)]
    kw = dict(train_recordings=(X, y), test_recordings=([x + 5 for x in X], y),
              sensors={"acc": [0, 1]}, rate=8, num_videos=(4, 4), recordings=(1, 2),
              anomaly_snippets=(1, 3), num_segments=None, folder="mine", log=False)
    first = RecordingStreamsVAD(str(tmp_path), **kw)
    record = osp.join(first.generated_folder, "streams.json")
    with open(record, encoding="utf-8") as f:
        written = json.load(f)
    assert written["code"] == _cache_names.data_code_hash()
    del written["code"]
    with open(record, "w", encoding="utf-8") as f:
        json.dump(written, f)
    features = glob.glob(osp.join(first.generated_folder, "features", "acc", "*.npy"))[0]
    os.utime(features, ns=(0, 0))
    again = RecordingStreamsVAD(str(tmp_path), **kw)
    assert os.stat(features).st_mtime_ns != 0  # written again
    with open(record, encoding="utf-8") as f:
        assert json.load(f)["code"] == _cache_names.data_code_hash()
    assert torch.equal(again[0].x_acc, first[0].x_acc)  # the same code: the same streams
    try:
        RecordingStreamsVAD(str(tmp_path), **{**kw, "seed": 1})
    except ValueError as exc:
        assert "holds streams of other options" in str(exc)
    else:
        raise AssertionError("a folder of other options was built over")


def _imports(path: str, package: str) -> set[str]:
    """The package's modules that the file at ``path`` imports (anywhere in it)."""
    module = osp.relpath(path, osp.dirname(package))[:-3].replace(os.sep, ".")
    parent = module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = parent.rsplit(".", node.level - 1)[0] if node.level > 1 else parent
            base = f"{base}.{node.module}" if node.module else base
            for a in node.names:
                sub = f"{base}.{a.name}"
                where = osp.join(osp.dirname(package), *sub.split("."))
                out.add(sub if osp.isfile(where + ".py") or osp.isdir(where) else base)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            out |= {n for n in names if n and n.split(".")[0] == "pyg_fusion"}
    return out


def test_every_module_the_data_code_imports_is_hashed():
    """A module that processing or generation calls into, outside
    DATA_CODE, would change the data without changing the names."""
    hashed = {p for pattern in _cache_names.DATA_CODE for p in glob.glob(osp.join(PACKAGE, pattern))}
    names = {osp.relpath(p, osp.dirname(PACKAGE))[:-3].replace(os.sep, ".") for p in hashed}
    names |= {n.rsplit(".", 1)[0] for n in names if n.endswith(".__init__")}
    # _loading reads a checkpoint's task (for its error message), never data
    allowed = {"pyg_fusion.experiments.checkpoints"}
    missing = {}
    for path in hashed:
        for m in _imports(path, PACKAGE) - names - allowed - {"pyg_fusion"}:
            missing.setdefault(m, []).append(osp.relpath(path, PACKAGE))
    assert not missing, missing
