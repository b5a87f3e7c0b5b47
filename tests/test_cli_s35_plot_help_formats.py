"""pyg-fusion plot --help said 'Render one figure ... as a PNG.' while --out
writes .png, .pdf or .svg by its suffix."""
import pytest

from pyg_fusion.cli import main


def test_plot_help_names_every_format_it_writes(capsys):
    with pytest.raises(SystemExit):
        main(["plot", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "as a PNG, PDF or SVG file (by the suffix of --out)" in out
