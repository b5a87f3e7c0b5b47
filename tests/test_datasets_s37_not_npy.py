"""A feature or ground-truth file named .npy that holds no .npy array: a zip
archive (torch.save's format, an np.savez) was read as numpy's NpzFile, then
"'NpzFile' object has no attribute 'dtype'" (or passed on as the array); a
text file or a pickle was said to 'contain pickled data'."""
import pickle

import numpy as np
import pytest
import torch

from pyg_fusion.datasets import VADFeatures, VADLayout
from pyg_fusion.datasets._io import load_npy


@pytest.mark.parametrize("write, said", [
    (lambda p: torch.save(torch.ones(5, 8), p), "zip archive"),
    (lambda p: np.savez(open(p, "wb"), x=np.ones((5, 8))), "zip archive"),
    (lambda p: pickle.dump(np.ones((5, 8)), open(p, "wb")), "pickle"),
    (lambda p: np.savetxt(p, np.ones((5, 8))), "text file"),
    (lambda p: open(p, "wb").close(), "empty"),
])
@pytest.mark.parametrize("finite", [True, False])
def test_a_file_that_is_no_npy_is_named_with_what_it_is(tmp_path, write, said, finite):
    path = str(tmp_path / "a.npy")
    write(path)
    with pytest.raises(ValueError, match=rf"source 'i3d': .*a\.npy is no \.npy file \(.*{said}"):
        load_npy(path, "source 'i3d'", finite=finite)


def test_a_torch_file_among_the_features_names_the_video(tmp_path):
    raw = tmp_path / "raw" / "i3d"
    raw.mkdir(parents=True)
    for n in ["Abuse1", "Normal1"]:
        np.save(raw / f"{n}.npy", np.ones((5, 8), np.float32))
    torch.save(torch.ones(5, 8), raw / "Abuse2.npy")
    with pytest.raises(ValueError, match=r"video 'Abuse2'.*is no \.npy file"):
        VADFeatures(str(tmp_path), "train", VADLayout(sources={"i3d": "i3d/{name}.npy"}),
                    num_segments=4, log=False)
