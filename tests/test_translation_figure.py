"""The translation figure names the target and what each branch translates from."""
import matplotlib

matplotlib.use("Agg")

from torch_geometric.loader import DataLoader  # noqa: E402

from pyg_fusion.datasets.translation import SyntheticTranslation  # noqa: E402
from pyg_fusion.training import translation_figure  # noqa: E402
from pyg_fusion.training.translation import TranslationModule  # noqa: E402


def test_columns_name_the_target_and_each_branch_input(tmp_path, monkeypatch):
    """Columns read 'target', 'output: shade', 'output: depth': nothing said the
    target was rgb, and 'output: depth' read as a depth image (reproduced: pyg-fusion
    translate evaluate of a synthetic run, translation.png)."""
    ds = SyntheticTranslation(str(tmp_path), "test", 2, 16, seed=0,
                              modalities=["shade", "depth"], progress=False)
    batch = next(iter(DataLoader(ds, batch_size=2)))
    drawn = {}
    real = translation_figure.save_figure
    monkeypatch.setattr(translation_figure, "save_figure",
                        lambda fig, path, **kw: drawn.setdefault("fig", fig) and real(fig, path,
                                                                                      **kw))

    def titles(module):
        translation_figure.save_translation_figure(module, batch, str(tmp_path / "t.png"))
        return [a.get_title() for a in drawn.pop("fig").axes if a.get_title()]

    kw = dict(ngf=4, num_downs=4, ndf=4, d_layers=2)
    named = TranslationModule(["shade", "depth"], data_config={"target": "rgb"}, **kw)
    assert titles(named) == ["input: shade", "input: depth", "target: rgb", "rgb from shade",
                             "rgb from depth", "rgb: ensemble"]
    bare = TranslationModule(["shade", "depth"], **kw)  # no data_config: 'target'
    assert titles(bare)[2:] == ["target", "target from shade", "target from depth",
                                "target: ensemble"]
