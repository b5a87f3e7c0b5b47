"""The JSON inputs of pyg_fusion.visualize (compare's results.json, a sweep's
records, the sparse-vs-dense benchmark) are read by one reader: the same
errors, each naming the argument."""
import matplotlib.pyplot as plt
import pytest

from pyg_fusion.visualize import load_benchmark, load_pq_grid, plot_results

READERS = [(plot_results, "results"), (load_pq_grid, "results"),
           (load_benchmark, "bench_json")]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("read, name", READERS)
def test_a_folder_is_named_a_folder_not_a_missing_file(tmp_path, read, name):
    # was FileNotFoundError "no such file" for a folder that exists
    with pytest.raises(IsADirectoryError, match=f"^{name}: .* is a folder; expected the "
                                                f"path of a JSON file"):
        read(tmp_path)


@pytest.mark.parametrize("read, name", READERS)
@pytest.mark.parametrize("content, error, match", [
    (None, FileNotFoundError, "no such file"),
    (b"{not json", ValueError, "is not valid JSON"),
    (b"\xff\xfe[]", ValueError, "is not valid JSON"),
])
def test_a_path_that_holds_no_json_is_refused_by_name(tmp_path, read, name, content, error,
                                                      match):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=f"^{name}: .*{match}"):
        read(str(path))
