"""User errors that need neither torch nor Lightning were found only after
their imports (seconds): a --views / --labels file of tables or a vad list
file that does not exist (load_data's check), and plot's flags that KIND
does not read, an --out of no figure format and KIND's input (none, no file,
no data set of graphs: checked in plot's run, after importing
pyg_fusion.visualize). Each is now found by the command's
``check``, with the same line. One interpreter runs them all and says
whether torch was imported."""
from test_cli_s41_early_user_errors import _refused_before_torch


def test_user_errors_are_refused_before_torch(tmp_path):
    view = tmp_path / "a.csv"
    view.write_text("1,2\n")
    (tmp_path / "root" / "raw").mkdir(parents=True)
    out = tmp_path / "out"
    cases = {
        f"train --dataset tables --views {view} {tmp_path}/b.csv --labels {view} --out {out}":
            f"pyg-fusion train: error: --views: no such file: {tmp_path}/b.csv\n",
        f"compare --dataset tables --views {view} --labels {tmp_path} --out {out}":
            f"pyg-fusion compare: error: --labels: {tmp_path} is a folder; expected a file\n",
        f"sweep --dataset tables --views {view} --labels {tmp_path}/y.csv --out {out}":
            f"pyg-fusion sweep: error: --labels: no such file: {tmp_path}/y.csv\n",
        f"train --dataset vad --vad-source rgb=f/{{name}}.npy --root {tmp_path}/root "
        f"--vad-train-list train.list --out {out}":
            f"pyg-fusion train: error: --vad-train-list: no such file: "
            f"{tmp_path}/root/raw/train.list\n",
        f"plot operator --dataset digits --out {tmp_path}/f.png":
            "pyg-fusion plot: error: operator does not read --dataset; it reads --checkpoint, "
            "--input\n",
        f"plot adjacency --dataset digits --out {tmp_path}/f.jpg":
            f"pyg-fusion plot: error: --out must name a .png, .pdf, .svg file, got "
            f"'{tmp_path}/f.jpg'\n",
        f"plot adjacency --out {tmp_path}/f.png":
            "pyg-fusion plot: error: adjacency needs --dataset NAME or --input GRAPH.pt\n",
        f"plot operator --out {tmp_path}/f.png":
            "pyg-fusion plot: error: operator needs --checkpoint CKPT or --input A.json\n",
        f"plot powers --dataset digitz --out {tmp_path}/f.png":
            "pyg-fusion plot: error: --dataset must be one of ['digits', 'synthetic-vad'], "
            "got 'digitz'\n",
        f"plot pq-sensitivity --input {tmp_path}/sweep.json --out {tmp_path}/f.png":
            f"pyg-fusion plot: error: --input: no such file: '{tmp_path}/sweep.json'\n",
        f"plot anomaly-scores --checkpoint {tmp_path} --out {tmp_path}/f.png":
            f"pyg-fusion plot: error: --checkpoint: {tmp_path} is a folder; expected a file\n",
    }
    _refused_before_torch(cases)
    assert not out.exists() and not (tmp_path / "f.png").exists()


def test_print_config_still_prints_a_config_of_files_to_come(capsys, tmp_path):
    # the files are checked by the run, not by --print-config (README's
    # commands are printed without the user's files)
    from pyg_fusion.cli import main
    assert main(["train", "--dataset", "tables", "--views", str(tmp_path / "a.csv"),
                 "--labels", str(tmp_path / "y.csv"), "--print-config"]) == 0
    assert "a.csv" in capsys.readouterr().out
