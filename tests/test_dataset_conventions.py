"""PyG's dataset conventions, as a user of them expects them here."""
import pytest
import torch

from pyg_fusion.datasets import SyntheticTranslation


def test_synthetic_translation_takes_a_pre_filter(tmp_path):
    # SyntheticTranslation(..., pre_filter=f) was a TypeError: the one
    # InMemoryDataset here without PyG's pre_filter
    kw = dict(num_images=6, image_size=8, progress=False)
    every = SyntheticTranslation(tmp_path, **kw)
    edges = [float(d.x_edge.mean()) for d in every]
    cut = sorted(edges)[3]

    def busy(data):
        return float(data.x_edge.mean()) >= cut
    kept = SyntheticTranslation(tmp_path, pre_filter=busy, **kw)
    assert len(kept) == sum(e >= cut for e in edges) < len(every)
    # the scenes kept are those of the same index (a scene's seed is its index)
    assert all(torch.equal(k.y, e.y) for k, e in zip(kept, [d for d in every if busy(d)]))
    assert len(SyntheticTranslation(tmp_path, **kw)) == 6  # its own cache
    with pytest.raises(ValueError, match="pre_filter rejected every one of the 6 train scenes"):
        SyntheticTranslation(tmp_path, pre_filter=lambda d: False, **kw)


def _read_only(monkeypatch, folder):
    """The answer of a read-only copy or mount under ``folder`` (the tests run
    where permissions may not bind, e.g. as root): every write there fails
    with EROFS, as it does for root too."""
    import errno
    import os
    below = os.path.abspath(folder)
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT

    def refused(path):
        return os.path.abspath(os.fspath(path)).startswith(below)

    def denied(real, is_write=lambda *a, **kw: True):
        def call(path, *args, **kwargs):
            if refused(path) and is_write(path, *args, **kwargs):
                raise OSError(errno.EROFS, "Read-only file system", os.fspath(path))
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "open", denied(os.open, lambda p, flags, *a, **kw: flags & writes))
    for name in ("mkdir", "remove", "unlink", "replace", "rename", "rmdir"):
        monkeypatch.setattr(os, name, denied(getattr(os, name)))


def test_a_read_only_copy_loads_and_says_what_it_cannot_make(tmp_path, monkeypatch):
    # a read-only copy of a built root made by other code (an upgrade) failed
    # with a bare PermissionError on a file the user never named
    import json
    import os

    from pyg_fusion.datasets import SyntheticVAD
    kw = dict(num_videos=(4, 4), snippets=(6, 9), num_segments=4, log=False)
    vad = SyntheticVAD(tmp_path / "vad", "test", **kw)
    trans = SyntheticTranslation(tmp_path / "tr", num_images=2, image_size=8, progress=False)
    _read_only(monkeypatch, tmp_path)
    assert len(SyntheticVAD(tmp_path / "vad", "test", **kw)) == len(vad)  # built: it loads
    with pytest.raises(ValueError, match=r"SyntheticTranslation: \S+processed holds no "
                       r"processed file of these options, .* and cannot be written \(a "
                       r"read-only copy\?\): process the data once where root can be written, "
                       r"or give a writable root"):
        SyntheticTranslation(tmp_path / "tr", num_images=3, image_size=8, progress=False)
    assert len(trans) == 2
    marker = os.path.join(vad.generated_folder, "synthetic.json")
    with open(marker, encoding="utf-8") as f:
        record = json.load(f)
    with open(marker, "w", encoding="utf-8") as f:
        json.dump({**record, "code": "other"}, f)
    for force_reload, why in ((False, "they were made by other code"), (True, "force_reload")):
        with pytest.raises(ValueError, match=rf"^root \S+: the synthetic VAD features there are "
                           rf"to be generated again \({why}\), and it cannot be written"):
            SyntheticVAD(tmp_path / "vad", "test", force_reload=force_reload, **kw)
    assert os.path.isfile(marker)


@pytest.mark.parametrize("bad, error", [
    (dict(num_videos=5), r"num_videos must be a pair of ints, got 5"),  # len() of an int
    (dict(num_videos=(4.0, 4)), r"num_videos must be a pair of ints"),  # named num_abnormal
    (dict(snippets=(6.5, 9)), r"snippets must be a pair of ints"),      # accepted, drawn as ints
    (dict(num_crops="2"), r"num_crops must be an int, got '2'"),        # '<' not supported ...
    (dict(num_crops=True), r"num_crops must be an int, got True"),      # one crop
    (dict(crop_layout="rows"), r"crop_layout must be one of \('stacked', 'files'\)"),
    (dict(fine_sources=["i3d"]), r"fine_sources must be a dict"),       # dictionary update ...
    (dict(fine_sources={"i3d": 0}), r"fine_sources\['i3d'\] must be >= 1"),  # named rates
    (dict(fine_sources={"rgb": 2}), r"fine_sources must be one of \('i3d', 'c3d', 'swin'\)"),
])
def test_synthetic_vad_names_a_bad_argument(tmp_path, bad, error):
    from pyg_fusion.datasets import SyntheticVAD
    with pytest.raises((TypeError, ValueError), match=error):
        SyntheticVAD(tmp_path, log=False, **{"num_videos": (4, 4), "snippets": (6, 9), **bad})
    assert not (tmp_path / "raw").exists()


def test_a_feature_folder_given_as_root_says_where_its_files_are_read(tmp_path):
    # VADFeatures(<my RTFM folder>, ...) said only that root/raw/list/test.list
    # was not found, though list/test.list was right there
    import numpy as np

    from pyg_fusion.datasets import VADFeatures, VADLayout
    (tmp_path / "list").mkdir()
    (tmp_path / "features").mkdir()
    np.save(tmp_path / "features" / "v_normal.npy", np.ones((4, 8), np.float32))
    (tmp_path / "list" / "test.list").write_text("features/v_normal.npy\n")
    np.save(tmp_path / "list" / "gt-test.npy", np.zeros(64, np.uint8))
    layout = dict(sources={"i3d": "features/{name}.npy"}, test_list="list/test.list",
                  gt={"test": "list/gt-test.npy"})
    with pytest.raises(FileNotFoundError, match=r"; \S+list/test\.list is under root itself, "
                       r"and a dataset reads its files under root/raw \(PyG's layout\): move "
                       r"them into \S+raw, or give absolute paths$"):
        VADFeatures(tmp_path, "test", VADLayout(**layout), log=False)
    ds = VADFeatures(tmp_path / "cache", "test", VADLayout(**layout, folder=str(tmp_path)),
                     log=False)
    assert len(ds) == 1 and int(ds[0].y) == 0
    # the tables too
    from pyg_fusion.datasets import MultiViewTables
    np.savetxt(tmp_path / "a.csv", np.arange(12.).reshape(4, 3), delimiter=",")
    (tmp_path / "y.csv").write_text("0\n1\n0\n1\n")
    with pytest.raises(FileNotFoundError, match=r"MultiViewTables: file\(s\) not found: \[\S+"
                       r"raw/a\.csv', \S+raw/y\.csv'\]; \S+a\.csv is under root itself"):
        MultiViewTables(tmp_path, ["a.csv"], "y.csv", log=False)
    # PyG's raw/ made for the files is not left behind in one's own folder,
    # nor a mistyped root
    assert not (tmp_path / "raw").exists()
    with pytest.raises(FileNotFoundError):
        MultiViewTables(tmp_path / "typo" / "deeper", ["a.csv"], "y.csv", log=False)
    assert not (tmp_path / "typo").exists()


def test_synthetic_translation_has_pygs_summary(tmp_path):
    # get_summary() (and print_summary()) read num_source_edges, which a
    # scene (a plain Data of images) has not: an AttributeError
    ds = SyntheticTranslation(tmp_path, num_images=3, image_size=8, progress=False)
    summary = ds.get_summary()
    assert summary.num_graphs == 3 and summary.num_nodes.mean == 1


@pytest.mark.parametrize("bad, error", [
    (dict(cluster_std=float("nan")), r"cluster_std must be a finite number >= 0, got nan"),
    (dict(noise_std=True), r"noise_std must be a finite number >= 0, got True"),
    (dict(seed=1.5), r"seed must be an int in \[-2\*\*63, 2\*\*64\) \(torch's seeds\), got 1\.5"),
    (dict(seed=2 ** 64), r"seed must be an int"),
    (dict(dtype=torch.int64), r"dtype must be a floating-point torch\.dtype, got torch\.int64"),
])
def test_clustered_features_names_a_bad_argument(bad, error):
    # NaN features, features cut to integers, or torch's errors naming no argument
    from pyg_fusion.datasets import clustered_features
    with pytest.raises(ValueError, match=error):
        clustered_features(10, 4, num_clusters=2, subspace=2, **bad)
    assert torch.equal(clustered_features(10, 4, num_clusters=2, subspace=2, seed=-1),
                       clustered_features(10, 4, num_clusters=2, subspace=2, seed=-1))


def test_a_one_graph_datasets_standardize_is_true_or_false(tmp_path):
    # standardize="no", or a fitted StandardizeSources (what VADFeatures takes),
    # was read as True: every column z-scored over all rows, silently
    import numpy as np

    from pyg_fusion.datasets import MultiFeatureDigits, MultiViewTables, StandardizeSources
    (tmp_path / "raw").mkdir()
    np.savetxt(tmp_path / "raw" / "a.csv", np.arange(24.).reshape(8, 3), delimiter=",")
    (tmp_path / "raw" / "y.csv").write_text("0\n1\n" * 4)
    fitted = StandardizeSources.fit({"a": torch.randn(5, 3)})
    for bad in ("no", fitted):
        with pytest.raises(TypeError, match=r"standardize must be True or False, got .* \(for "
                           r"statistics of your own, pass a StandardizeSources as transform\)"):
            MultiViewTables(tmp_path, ["a.csv"], "y.csv", standardize=bad, log=False)
        with pytest.raises(TypeError, match=r"standardize must be True or False"):
            MultiFeatureDigits(tmp_path / "digits", standardize=bad, log=False)
    assert not (tmp_path / "processed").exists() and not (tmp_path / "digits").exists()
    raw = MultiViewTables(tmp_path, ["a.csv"], "y.csv", standardize=np.bool_(False), log=False)
    assert torch.equal(raw[0].x_a[1], torch.tensor([3., 4., 5.]))


@pytest.mark.parametrize("bad, error", [(3.0, TypeError), (True, TypeError), (0, ValueError)])
def test_resample_segments_names_a_bad_num_segments(bad, error):
    # 3.0: numpy's "'float' object cannot be interpreted as an integer"; True:
    # "an integer is required"
    import numpy as np

    from pyg_fusion.datasets import resample_segments
    with pytest.raises(error, match=r"^num_segments must be"):
        resample_segments(np.ones((10, 4)), bad)


def test_read_only_synthetic_scenes_of_other_options_say_so(tmp_path, monkeypatch):
    # scenes of other options in a read-only root failed with a bare
    # OSError on meta.json, a file the user never named
    from pyg_fusion.datasets import SyntheticRGBD
    kw = dict(num_train=2, num_test=2, progress=False)
    first = SyntheticRGBD(tmp_path, size=16, **kw)
    _read_only(monkeypatch, tmp_path)
    assert len(SyntheticRGBD(tmp_path, size=16, **kw)) == len(first)  # its own: read
    with pytest.raises(ValueError, match=r"^--root \S+: the synthetic scenes there are to be "
                       r"generated again \(they are of other options\), and it cannot be "
                       r"written \(a read-only copy\?\): give the synthetic scenes a writable "
                       r"--root"):
        SyntheticRGBD(tmp_path, size=24, **kw)
    assert (tmp_path / "meta.json").is_file()


@pytest.mark.parametrize("generator", ["vad", "rgbd"])
def test_an_empty_read_only_root_names_root(tmp_path, monkeypatch, generator):
    # an existing empty root that cannot be written failed with a bare OSError
    # (EROFS / EACCES) naming only the first path the generator wrote
    from pyg_fusion.datasets import SyntheticRGBD, SyntheticVAD
    _read_only(monkeypatch, tmp_path)
    if generator == "vad":
        make, argument = (lambda: SyntheticVAD(tmp_path, "test", num_videos=(4, 4),
                                                snippets=(6, 9), num_segments=4, log=False)), "root"
    else:
        make, argument = (lambda: SyntheticRGBD(tmp_path, size=16, num_train=2, num_test=2,
                                                 progress=False)), "--root"
    with pytest.raises(ValueError, match=rf"^{argument} \S+: the data are to be generated "
                       rf"there, and it cannot be written \(a read-only copy\?; Read-only file "
                       rf"system: \S+\): give a writable {argument}$"):
        make()
    assert list(tmp_path.iterdir()) == []


def test_synthetic_translation_in_a_read_only_root_makes_no_raw_folder(tmp_path, monkeypatch):
    # SyntheticTranslation made an empty root/raw first: in a read-only root
    # (empty, or a built copy that left the empty raw/ out) a bare OSError on raw
    import shutil
    kw = dict(num_images=2, image_size=8, progress=False)
    built = SyntheticTranslation(tmp_path / "built", **kw)
    shutil.rmtree(tmp_path / "built" / "raw", ignore_errors=True)
    (tmp_path / "empty").mkdir()
    _read_only(monkeypatch, tmp_path)
    assert len(SyntheticTranslation(tmp_path / "built", **kw)) == len(built)
    with pytest.raises(ValueError, match=r"^SyntheticTranslation: \S+processed holds no "
                       r"processed file .* or give a writable root$"):
        SyntheticTranslation(tmp_path / "empty", **kw)


def test_digits_in_an_empty_read_only_root_names_root(tmp_path, monkeypatch):
    # the copy of the bundled files into root/raw failed with a bare OSError
    # (EROFS) on root/raw; a dataset of the user's files said the same, not
    # which files were missing
    from pyg_fusion.datasets import MultiFeatureDigits, MultiViewTables
    _read_only(monkeypatch, tmp_path)
    with pytest.raises(ValueError, match=r"^MultiFeatureDigits: root \S+: the raw files are to "
                       r"be written there, and it cannot be written \(a read-only copy\?; "
                       r"Read-only file system: \S+\): write them once where root can be "
                       r"written, or give a writable root$"):
        MultiFeatureDigits(tmp_path, log=False)
    with pytest.raises(FileNotFoundError, match=r"MultiViewTables: file\(s\) not found: .*a\.csv"):
        MultiViewTables(tmp_path, ["a.csv"], "y.csv", log=False)
    assert list(tmp_path.iterdir()) == []


def test_split_rates_of_numpy_float_types_are_taken(tmp_path):
    # np.float32(0.25) was refused as 'label_rate must be a number in [0, 1],
    # got np.float32(0.25)' (a rate read from an array; np.float64 passed)
    import numpy as np

    from pyg_fusion.datasets import MultiViewTables
    (tmp_path / "raw").mkdir()
    np.savetxt(tmp_path / "raw" / "a.csv", np.arange(60.).reshape(20, 3), delimiter=",")
    (tmp_path / "raw" / "y.csv").write_text("0\n1\n" * 10)
    given = MultiViewTables(tmp_path, ["a.csv"], "y.csv", label_rate=np.float32(0.5),
                            val_rate=np.float32(0.25), log=False)[0]
    plain = MultiViewTables(tmp_path, ["a.csv"], "y.csv", label_rate=0.5, val_rate=0.25,
                            log=False)[0]
    for mask in ("train_mask", "val_mask", "test_mask"):
        assert torch.equal(given[mask], plain[mask])
    for bad in (np.float32("nan"), np.float32(2.0), True):
        with pytest.raises(ValueError, match=r"^label_rate must be a number in \[0, 1\]"):
            MultiViewTables(tmp_path, ["a.csv"], "y.csv", label_rate=bad, log=False)
