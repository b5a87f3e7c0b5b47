"""pyg-fusion train --dataset vad with a list or ground-truth file that is
not under ROOT/raw names the flag that gave it, in one line."""
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import SyntheticVAD


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("user vad é")  # a space and a non-ASCII letter
    ds = SyntheticVAD(str(root), "test", num_videos=(4, 4), snippets=(8, 12),
                      num_segments=8, log=False)
    return root, ds.tag


@pytest.mark.parametrize("flag", ["--vad-train-list", "--vad-test-list", "--vad-gt"])
@pytest.mark.parametrize("wrong", ["missing", "folder"])
def test_a_missing_list_names_its_flag(written, tmp_path, capsys, flag, wrong):
    # it said 'VADFeatures: file(s) not found: [...] (...; see
    # help(pyg_fusion.datasets.VADLayout))', the Python API's advice, no flag
    root, tag = written
    files = {"--vad-train-list": f"{tag}/domain0/list/train.list",
             "--vad-test-list": f"{tag}/domain0/list/test.list",
             "--vad-gt": f"{tag}/domain0/list/gt-test.npy"}
    files[flag] = f"{tag}/domain0/nope.list" if wrong == "missing" else f"{tag}/domain0/list"
    argv = ["train", "--dataset", "vad", "--root", str(root), "--num-segments", "8",
            "--vad-source", f"i3d={tag}/domain0/features/i3d/{{name}}.npy",
            *[x for f, v in files.items() for x in (f, v)], "--method", "graph-mean",
            "--epochs", "1", "--no-progress", "--threads", "1", "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    path = root / "raw" / files[flag]
    why = f"no such file: {path}" if wrong == "missing" else \
        f"{path} is a folder; expected a file"
    assert err == f"pyg-fusion train: error: {flag}: {why}\n"
    assert not (tmp_path / "o").exists()
