"""An interruption between a grid's records and its figure left the new
sweep.json (results.json) beside the earlier grid's sweep.png and sweep.txt:
they are removed before the records are written."""
import json

import pytest

from pyg_fusion.experiments import records


@pytest.mark.parametrize("name", ["sweep", "results"])
def test_an_interruption_after_the_records_leaves_no_earlier_figure(tmp_path, monkeypatch,
                                                                    name):
    for suffix in (".json", ".txt", ".png", ".partial.json"):
        (tmp_path / f"{name}{suffix}").write_text("earlier grid")
    written = []

    def write_json(path, obj, **kwargs):  # Ctrl-C once the records are out
        path.write_text(json.dumps(obj))
        written.append(sorted(p.name for p in tmp_path.iterdir()))
        raise KeyboardInterrupt
    monkeypatch.setattr(records, "write_json", write_json)
    with pytest.raises(KeyboardInterrupt):
        records.write_results(tmp_path, [{"P": 1}], name)
    assert written == [[f"{name}.json", f"{name}.partial.json"]]
    assert json.loads((tmp_path / f"{name}.json").read_text()) == [{"P": 1}]
