"""What this session's code changes made the docs say, held to the code."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _page(name: str) -> str:
    return " ".join((ROOT / name).read_text().split())


def test_the_image_models_keep_their_modalities_order_as_the_page_says():
    # 0d049b4: AsymFusionSegmenter / TranslationModule keep the order in the state dict
    said = _page("docs/asymfusion.md")
    assert ("one rebuilt with them in another order (`modalities=(\"depth\", \"rgb\")` for "
            "`(\"rgb\", \"depth\")`) refuses it in `load_state_dict`") in said
    assert "One modality loads under any name" in said
    from pyg_fusion.nn.asym import asym_fusion_segmenter
    kw = dict(num_classes=4, depth=None, layers=[1, 1, 1, 1], width=8, decoder_features=16,
              light=True)
    saved = asym_fusion_segmenter(modalities=("rgb", "depth"), **kw).state_dict()
    with pytest.raises(RuntimeError, match="build it with modalities in the saved order"):
        asym_fusion_segmenter(modalities=("depth", "rgb"), **kw).load_state_dict(saved)
    one = asym_fusion_segmenter(modalities=("x",), **kw).state_dict()
    asym_fusion_segmenter(modalities=("y",), **kw).load_state_dict(one)


@pytest.mark.parametrize("head,rows,index_col,read", [
    ("a,b", "1,0.5,0.25\n2,0.1,0.2\n", "auto", True),    # R's row names
    ("a,b", "1.5,0.5,0.25\n2.5,0.1,0.2\n", "auto", False),  # a fraction: no row names
    ("a,b", "1,0.5,0.25\n1,0.1,0.2\n", "auto", False),    # repeated: no row names
    ("a,b", "1,0.5,0.25\n1,0.1,0.2\n", 0, True),          # index_col=0 says so
    ("a,b", "1,0.5,0.25\n2,0.1,0.2\n", None, False),
    ("a,b,c,", "1,0.5,0.25\n2,0.1,0.2\n", "auto", False),  # a delimiter at the end
    ("a,b,c,d", "1,0.5,0.25\n2,0.1,0.2\n", "auto", False),
])
def test_a_header_of_another_width_is_read_as_the_tables_pages_say(tmp_path, head, rows,
                                                                   index_col, read):
    # 952b466: a header of another width than the rows is refused naming both
    # widths, but one short over row names (R's write.table)
    for page in ("datasets/README.md", "docs/bad_input.md"):
        assert "R's `write.table`" in _page(page) and "both widths" in _page(page), page
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "a.csv"
    path.write_text(f"{head}\n{rows}")
    if read:
        assert read_table(str(path), index_col=index_col).values.shape == (2, 2)
    else:
        with pytest.raises(ValueError, match=r"header row names \d column\(s\), its data rows "
                                             r"hold 3 fields"):
            read_table(str(path), index_col=index_col)


@pytest.mark.parametrize("text,said", [
    ("1.234,5;2\n2.345,5;3\n", "thousands are separated by a dot"),
    ("1.234.567;2\n2.345.678;3\n", "thousands are separated by a dot"),
    ("1,5;1.234\n2,5;2.345\n", "decimal=',', thousands='.'"),
    ("1.234,2\n2.345,3\n", None),  # 1.234 alone is 1.234
])
def test_dots_grouping_thousands_are_as_the_tables_pages_say(tmp_path, text, said):
    # fa63bba: a dot's thousands refused where they show, 1.234 alone read
    assert "or by a dot where it shows (`1.234.567`, `1.234,5`; `1.234` alone is 1.234)" \
        in _page("datasets/README.md")
    assert "`pandas.read_csv(path, sep=..., decimal=\",\", thousands=\".\")` reads both" \
        in _page("datasets/README.md")
    assert "grouped by a space, an apostrophe or a dot (`1 037`, `1'037`, `1.234,5`)" \
        in _page("docs/bad_input.md")
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "a.csv"
    path.write_text(text)
    if said is None:
        assert read_table(str(path)).values.tolist() == [[1.234, 2.0], [2.345, 3.0]]
    else:
        with pytest.raises(ValueError, match=re.escape(said)):
            read_table(str(path))


def test_vad_class_ids_are_refused_as_the_pages_say(tmp_path):
    # f9324ce: a list's label column 1 / 2 refused under labels="list" too;
    # f7a3f92: a test video's class index refused, saying how to convert it
    assert ("A label column of two or more numbers none of them 0 (`1` / `2`: class ids counted "
            "from 1) is an error under `labels=\"list\"` too") in _page("datasets/README.md")
    bad_input = _page("docs/bad_input.md")
    assert ("A label column of two or more numbers without 0 (`1` / `2`: class ids counted from "
            "1) is refused with `--vad-labels list` too") in bad_input
    assert "A test video built in Python whose `y` is a class index (UCF-Crime's 0..13)" in bad_input
    import numpy as np
    import torch
    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.datasets import VADFeatures
    from pyg_fusion.training.vad_split import check_test_videos
    (tmp_path / "raw" / "f").mkdir(parents=True)
    (tmp_path / "raw" / "list").mkdir()
    for i in range(4):
        np.save(tmp_path / "raw" / "f" / f"v{i}.npy", np.ones((8, 3), np.float32))
    (tmp_path / "raw" / "list" / "train.csv").write_text(
        "".join(f"f/v{i}.npy,{1 + i % 2}\n" for i in range(4)))
    kw = dict(sources={"a": "f/{name}.npy"}, train_list="list/train.csv", log=False)
    with pytest.raises(ValueError, match=r"holds the numbers 1, 2 and no 0"):
        VADFeatures(str(tmp_path), "train", labels="list", **kw)
    ds = VADFeatures(str(tmp_path), "train", labels="list", normal_pattern="^1$", **kw)
    assert [int(d.y) for d in ds] == [0, 1, 0, 1]
    # eec9f1e: class ids asked which is normal; a named number is the only normal one
    assert ("So is a column of more than two numbers (class ids: UCF-Crime's 0..13, whose "
            "alphabetical numbering makes 0 `Abuse`) unless `normal_pattern` names one of them"
            ) in _page("datasets/README.md")
    assert "unless `--vad-normal-pattern` names one of them, which is then the only normal" \
        in bad_input
    (tmp_path / "raw" / "list" / "train.csv").write_text(
        "".join(f"f/v{i}.npy,{c}\n" for i, c in enumerate((0, 2, 7, 2))))
    with pytest.raises(ValueError, match=r"holds 3 numbers \(0, 2, 7\): class ids\?"):
        VADFeatures(str(tmp_path), "train", labels="list", force_reload=True, **kw)
    ds = VADFeatures(str(tmp_path), "train", labels="list", normal_pattern="^7$",
                     force_reload=True, **kw)
    assert [int(d.y) for d in ds] == [1, 1, 0, 1]
    videos = [MultiSourceData(x_a=torch.zeros(8, 3), y=torch.tensor([y]), video=str(y),
                              frame_gt=torch.tensor([0, 1] * 8)) for y in (1, 7)]
    with pytest.raises(ValueError, match=r"a class index\?.*attribute of its own"):
        check_test_videos(videos)


def test_torch_func_over_lego_is_as_the_page_says():
    # 3b1fb7c: torch.func.grad over the dense backend; the sparse one refused
    said = _page("docs/lego_api.md")
    assert ("Under `torch.func` (`grad` over `functional_call(model, params, ...)`, as "
            "meta-learning loops take it) the dense backend gives autograd's gradients") in said
    assert "each is a `RuntimeError` naming it and what works instead (`backend=\"dense\"`" in said
    import torch
    from torch.func import functional_call, grad
    from pyg_fusion.nn import LEGO
    g = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(12, 4, generator=g), "b": torch.randn(12, 3, generator=g)}
    for backend in ("dense", "sparse"):
        torch.manual_seed(0)
        lego = LEGO({"a": 4, "b": 3}, 2, k=3, backend=backend, proj_channels=5)
        params = {k: v.detach() for k, v in lego.named_parameters()}

        def loss(p):
            return functional_call(lego, p, (xs,)).to_dense().square().sum()

        if backend == "sparse":
            with pytest.raises(RuntimeError, match="sparse backend.*backend='dense'"):
                grad(loss)(params)
            continue
        got = grad(loss)(params)
        lego(xs).to_dense().square().sum().backward()
        for name, p in lego.named_parameters():
            want = torch.zeros_like(p) if p.grad is None else p.grad
            torch.testing.assert_close(got[name], want, msg=name)


def test_a_view_column_of_the_labels_is_noticed_as_the_pages_say(tmp_path):
    # 4a69d37: label leakage is a notice naming the view, column and header
    assert ("A view column that holds the labels (a table exported with its label column) or a "
            "code of them (`1 - y`, one number per class of text labels) gives a notice "
            "(`PygFusionNotice`) naming the view, the file's column and its header name"
            ) in _page("datasets/README.md")
    assert ("a view column that holds the labels or a code of them (`1 - y`) is a notice naming "
            "the view and the column (label leakage), not an error") in _page("docs/bad_input.md")
    from pyg_fusion import PygFusionNotice
    from pyg_fusion.datasets import MultiViewTables
    raw = tmp_path / "raw"
    raw.mkdir()
    y = [0, 1, 2] * 4
    (raw / "v.csv").write_text("a,b,c\n" + "".join(f"{i * 0.37 % 1:.3f},{i},{1 - c}\n"
                                                   for i, c in enumerate(y)))
    (raw / "y.csv").write_text("".join(f"{c}\n" for c in y))
    with pytest.warns(PygFusionNotice, match=r"view 'v': column 2 \('c'\) .*label leakage"):
        data = MultiViewTables(str(tmp_path), ["v.csv"], "y.csv", log=False)[0]
    assert data.x_v.shape == (12, 3)


def test_small_inputs_are_stamped_by_their_contents_as_the_pages_say(tmp_path):
    # d1bdbc9: a same-size edit with its time kept re-processes inputs of
    # 4 MiB or less in all (larger ones: test_docs_s32d_datasets_readme)
    import os
    import torch
    assert ("Smaller inputs (tables, lists, labels, small generated sets) are stamped by their "
            "contents too, so such an edit re-processes them.") in _page("datasets/README.md")
    assert ("A cache knows its input files by size and modification time, and by their contents "
            "too where they hold 4 MiB or less in all") in _page("docs/bad_input.md")
    from pyg_fusion.datasets import MultiViewTables
    raw = tmp_path / "raw"
    raw.mkdir()
    old = "".join(f"{i}.5,{i}.25\n" for i in range(6))
    (raw / "a.csv").write_text(old)
    (raw / "y.csv").write_text("0\n1\n0\n1\n0\n1\n")
    MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", log=False)
    stat = os.stat(raw / "a.csv")
    (raw / "a.csv").write_text(old.replace(".5,", ".7,"))  # same size, other values
    os.utime(raw / "a.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    x = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", log=False)[0].x_a
    assert torch.allclose(x[:, 0], torch.arange(6) + 0.7)


def test_standardize_with_tables_is_as_readme_says(tmp_path, capsys):
    # b197309: --standardize accepted with tables (what it does, recorded
    # true), --no-standardize refused
    import numpy as np
    from pyg_fusion.cli import main
    assert ("here it only states what every run does (records and `--print-config` say "
            "`standardize: true`), and `--no-standardize` is refused") in _page("README.md")
    a = tmp_path / "a.npy"
    np.save(a, np.random.default_rng(0).normal(size=(20, 2)))
    (tmp_path / "y.csv").write_text("".join(f"{i % 2}\n" for i in range(20)))
    argv = ["train", "--dataset", "tables", "--views", str(a), "--labels",
            str(tmp_path / "y.csv"), "--root", str(tmp_path / "data")]
    assert main([*argv, "--standardize", "--print-config"]) == 0
    assert "standardize: true" in capsys.readouterr().out
    assert main([*argv, "--no-standardize", "--print-config"]) == 2
    assert "--no-standardize: --dataset tables always z-scores" in capsys.readouterr().err


def test_shared_decoder_norms_and_narrow_networks_are_as_the_pages_say():
    # fb41ffd: share_decoder_norm=True mixes the running statistics in
    # evaluation; --width below 5 / --ngf below 3 exchange nothing at stage 1
    assert ("the decoder's one norm is applied to each modality's maps in turn, so a batch norm "
            "normalises each modality by its own batch statistics in training but, in "
            "evaluation, by running statistics that mix all modalities'") in _page("docs/methods.md")
    said = _page("docs/asymfusion.md")
    assert ("`segment train --width` below 5 leaves the first stage's fusion exchanging "
            "nothing, `translate train --ngf` below 3 the fusion at level 1") in said
    from pyg_fusion.training._image_configs import SegmentModelConfig, TranslateModelConfig
    assert "below 5 the first stage's fusion exchanges nothing" in \
        SegmentModelConfig.__dataclass_fields__["width"].metadata["help"]
    assert "below 3 the fusion at level 1 exchanges nothing" in \
        TranslateModelConfig.__dataclass_fields__["ngf"].metadata["help"]
    from pyg_fusion.nn.asym import AsymFusionTranslator
    gen = AsymFusionTranslator(2, ngf=4, num_downs=3, share_decoder_norm=True)
    # one norm in the decoder, the encoder's private
    assert len(gen.up_norm[1].norms) == 1 and len(gen.down_norm[1].norms) == 2


def test_resume_and_a_models_folder_are_as_the_pages_say():
    # 4adb661: --no-resume undoes a config's resume: true; 8a3f870: a folder of
    # the user's own models is accepted as evaluate's --out
    assert ("or leave out `--resume` (or pass `--no-resume`, which undoes a `--config` file's "
            "`resume: true`") in _page("docs/bad_input.md")
    assert ("`*.ckpt` files in a folder not named `checkpoints` do not make it refused"
            ) in _page("docs/training.md")
    from pyg_fusion.cli import build_parser
    args = build_parser().parse_args(["compare", "--resume", "--no-resume"])
    assert args.resume is False


def test_a_folder_of_models_is_no_run_folder_as_the_training_page_says(tmp_path):
    from pyg_fusion.cli.evaluate import check_not_a_run_folder
    models = tmp_path / "models"
    models.mkdir()
    (models / "lego.ckpt").write_bytes(b"")
    check_not_a_run_folder(models)
    (models / "checkpoints").mkdir()
    (models / "checkpoints" / "best.ckpt").write_bytes(b"")
    with pytest.raises(ValueError, match="holds a training run's checkpoint"):
        check_not_a_run_folder(models / "checkpoints")


def test_comma_numbers_in_column_0_and_digit_separators_are_as_the_page_says(tmp_path):
    # 61c9c97: comma numbers in column 0 refused (they were dropped as ids);
    # '_' is no digit separator: 1_2 is an id, 1_000 no number
    said = _page("datasets/README.md")
    assert "is an error saying so, in column 0 too (such numbers are no row ids" in said
    assert "`1_2` too: Python's digit separator `_` is not read" in said
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "a.csv"
    for text in ("1,5;2\n2,5;3\n", '"1,5",2\n"2,5",3\n'):
        path.write_text(text)
        with pytest.raises(ValueError, match="a number with a comma inside"):
            read_table(str(path))
    path.write_text("id,x\n1_1,0.5\n1_2,0.7\n")
    table = read_table(str(path))
    assert table.index == ["1_1", "1_2"] and table.values.tolist() == [[0.5], [0.7]]


def test_forms_read_under_inference_mode_are_as_the_methods_page_says():
    # def6fa3: forms derived under inference mode from a graph made outside it
    # are not kept, so training after them still works
    assert ("Under `torch.inference_mode()` (logging, Lightning's validation) the other form and "
            "`dense_mask()` of a graph made outside it, any graph, a fixed one under a head that "
            "learns too, are returned and not kept") in _page("docs/methods.md")
    import torch
    from pyg_fusion.nn import LEGO, RowHead
    g = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(12, 4, generator=g), "b": torch.randn(12, 3, generator=g)}
    batch = torch.arange(2).repeat_interleave(6)
    lego = LEGO({"a": 4, "b": 3}, 2, k=3, backend="sparse")
    with torch.no_grad():
        fixed = lego(xs, batch)
    with torch.inference_mode():
        fixed.to_dense()
    head = RowHead(6)
    head(fixed.to_dense()).sum().backward()
    assert all(p.grad is not None for p in head.parameters())


def test_both_backends_prune_on_the_products_support_as_the_methods_page_says():
    # d70cf81: one prune rule; a zero-weight edge given as support keeps its
    # entries (and their gradient) in both backends
    assert ("both rank only the entries of the product's support (those that a path of edges, "
            "zero weights included, reaches through the kept entries of the power before"
            ) in _page("docs/methods.md")
    import torch
    from pyg_fusion.functional import dense_graph_powers, edges_to_dense, graph_powers
    g = torch.Generator().manual_seed(0)
    n = 7
    ei = torch.tensor([[j for i in range(n) for j in (i, (i + 1) % n, (i + 3) % n)],
                       [i for i in range(n) for _ in range(3)]])
    w = torch.rand(ei.size(1), generator=g, dtype=torch.float64)
    w[1] = 0.0  # a zero-weight edge, on the support
    w.requires_grad_(True)
    sparse_ei, attr = graph_powers(ei, w, n, 2, prune_k=4)
    got_sparse = torch.stack([edges_to_dense(sparse_ei, attr[:, p], max_num_nodes=n)[0]
                              for p in range(3)])
    support = edges_to_dense(ei, torch.ones(ei.size(1), dtype=torch.float64),
                             max_num_nodes=n)[0] > 0
    got_dense = dense_graph_powers(edges_to_dense(ei, w, max_num_nodes=n)[0], 2, prune_k=4,
                                   support=support)
    torch.testing.assert_close(got_dense, got_sparse)
    (gs,) = torch.autograd.grad(got_sparse.square().sum(), w)
    (gd,) = torch.autograd.grad(got_dense.square().sum(), w)
    torch.testing.assert_close(gd, gs)


def test_forward_mode_through_lego_is_as_the_page_says():
    # 6f645fc: jvp through the dense backend with cosine or dot; b8c57fe: rbf too
    assert ("`torch.func.jacfwd` and `torch.func.hessian` pass through the dense backend with "
            "cosine, dot and rbf graphs") in _page("docs/lego_api.md")
    import torch
    from torch.func import functional_call, grad, jvp
    from pyg_fusion.nn import LEGO
    g = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(8, 4, generator=g), "b": torch.randn(8, 3, generator=g)}
    for metric in ("cosine", "dot", "rbf"):
        lego = LEGO({"a": 4, "b": 3}, 2, backend="dense", metric=metric, proj_channels=5)
        params = {k: v.detach() for k, v in lego.named_parameters()}
        tangents = {k: torch.ones_like(v) for k, v in params.items()}

        def f(p):
            return functional_call(lego, p, (xs,)).to_dense().square().sum()

        jvp(grad(f), (params,), (tangents,))


def test_compressed_tables_and_features_first_are_as_the_pages_say(tmp_path):
    # ca27422: gzip read by its mark, other compressions refused by name;
    # bcb28ac: [F, T] feature files named at the video that shows them
    import gzip
    said = _page("datasets/README.md")
    assert "Text compressed with gzip is read whatever the file's name (with or without its " \
        "`.gz`)" in said
    assert "files saved features first (`[F, T]`, MATLAB's column order" in said
    assert "saved features first (`[F, T]`, read as `[T, F]`: save each as `a.T`)" \
        in _page("docs/bad_input.md")
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "a.csv"
    path.write_bytes(gzip.compress(b"1.5,2\n2.5,3\n"))
    assert read_table(str(path)).values.tolist() == [[1.5, 2.0], [2.5, 3.0]]
    import bz2
    path = tmp_path / "b.csv.bz2"
    path.write_bytes(bz2.compress(b"1.5,2\n2.5,3\n"))
    with pytest.raises(ValueError, match="bzip2"):
        read_table(str(path))


def test_classes_differing_in_case_are_as_the_page_says(tmp_path):
    # ac2f731: two classes, with a notice naming both names
    assert ("names that differ only in case, `Yes` / `yes`, stay two classes, with a notice naming "
            "the file and both names") in _page("datasets/README.md")
    from pyg_fusion import PygFusionNotice
    from pyg_fusion.datasets import MultiViewTables
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "v.csv").write_text("".join(f"{i * 0.37 % 1:.3f},{i * 0.11 % 1:.3f}\n"
                                       for i in range(9)))
    (raw / "y.csv").write_text("".join(f"{c}\n" for c in ["Yes", "yes", "no"] * 3))
    with pytest.warns(PygFusionNotice, match="'Yes' and 'yes' differ only in case"):
        ds = MultiViewTables(str(tmp_path), ["v.csv"], "y.csv", log=False)
    assert len(ds.classes) == 3


def test_the_asymfusion_refusals_are_as_the_bad_input_page_says():
    # 4e15d95, 117dcd7, 2f641db
    said = _page("docs/bad_input.md")
    assert ("The network of `share_across_modalities` refuses a modality tensor of another "
            "floating dtype or device than the first, naming both.") in said
    assert ("`AsymFusionSegmenter` in training on a batch of one image whose deepest map is 1x1 "
            "names the BatchNorm layer and the remedies") in said
    import torch
    from pyg_fusion.nn.asym import asym_fusion_segmenter, share_across_modalities
    net = share_across_modalities(torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
                                                      torch.nn.BatchNorm2d(4)), num_modalities=2)
    with pytest.raises(TypeError, match=r"xs\[1\] is torch.float64 but xs\[0\] is torch.float32"):
        net([torch.randn(2, 3, 8, 8), torch.randn(2, 3, 8, 8, dtype=torch.float64)])
    model = asym_fusion_segmenter(num_classes=4, depth=None, layers=[1, 1, 1, 1], width=8,
                                  decoder_features=16, light=True).train()
    with pytest.raises(ValueError, match=r"BatchNorm layer .* frozen_stats=True, or call "
                                         r"model.eval\(\)"):
        model([torch.randn(1, 3, 32, 32), torch.randn(1, 3, 32, 32)])


def test_a_vad_list_with_pandas_index_is_read_as_the_page_says(tmp_path):
    # 557d4fa: ',path,label' over '0,f/v0.npy,0' is read without the index column
    assert ("a list written by pandas' `to_csv` with its index (`,path,label` over "
            "`0,i3d/a.npy,0`: an empty first header cell over whole numbers) is read without "
            "that column") in _page("datasets/README.md")
    import numpy as np
    from pyg_fusion.datasets import VADFeatures
    (tmp_path / "raw" / "f").mkdir(parents=True)
    (tmp_path / "raw" / "list").mkdir()
    for i in range(4):
        np.save(tmp_path / "raw" / "f" / f"v{i}.npy", np.ones((8, 3), np.float32))
    (tmp_path / "raw" / "list" / "train.csv").write_text(
        ",path,label\n" + "".join(f"{i},f/v{i}.npy,{i % 2}\n" for i in range(4)))
    ds = VADFeatures(str(tmp_path), "train", sources={"a": "f/{name}.npy"},
                     train_list="list/train.csv", labels="list", log=False)
    assert [int(d.y) for d in ds] == [0, 1, 0, 1]


def test_config_file_values_are_named_by_file_and_key_as_the_training_page_says(tmp_path,
                                                                               capsys):
    # 1e8ae82, 1514906
    said = _page("docs/training.md")
    assert ("A file's value that its flag refuses is named by file and key (`--config run.yaml: "
            "epochs: expected a positive integer, got -1`)") in said
    from pyg_fusion.cli import main
    run = tmp_path / "run.yaml"
    run.write_text("trainer:\n  epochs: -1\n")
    assert main(["train", "--config", str(run), "--print-config"]) == 2
    assert f"--config {run}: epochs: expected a positive integer, got -1" in capsys.readouterr().err
    run.write_text("data:\n  dataset: digits\n  num_segments: 8\n")
    assert main(["train", "--config", str(run), "--root", str(tmp_path / "d"),
                 "--print-config"]) == 2
    assert (f"--num-segments applies to --dataset synthetic-vad / motion-vad / vad, not to digits "
            f"(--config {run}: num_segments: 8)") in capsys.readouterr().err


def test_a_confusion_matrix_counting_the_ignored_class_is_refused_as_the_page_says():
    # 6279d96
    assert ("a matrix of your own given to `segmentation_scores` with counts in that class's row "
            "is refused, naming them") in _page("docs/methods.md")
    import torch
    from pyg_fusion.training.segmentation_metrics import segmentation_scores
    cm = torch.tensor([[5, 1, 0], [0, 4, 1], [0, 1, 6]])
    with pytest.raises(ValueError, match="6 pixels labelled ignore_index=0"):
        segmentation_scores(cm, ignore_index=0)
    cm[0] = 0
    assert segmentation_scores(cm, ignore_index=0)["pixel_acc"] == pytest.approx(10 / 12)


def test_a_stopped_scaling_run_keeps_its_sizes_as_the_scaling_page_says():
    # ac02b4e (the behaviour: tests/test_benchmarks_s35_scaling_partial.py)
    assert ("`scaling.py --json` also writes its file after each size, marked `\"incomplete\": "
            "\"<k> of <m> sizes measured: the run did not end\"` until the run ends"
            ) in _page("docs/results/scaling.md")
    assert "sizes measured: the run did not end" in \
        (ROOT / "benchmarks" / "scaling.py").read_text()
    # ecfd939: sparse_vs_dense.py likewise
    assert ("`sparse_vs_dense.py --json` also writes its file after each configuration, marked "
            "`\"incomplete\": \"<k> configurations measured: the run did not end\"`"
            ) in _page("docs/results/scaling.md")
    assert "configurations measured: the run did not end" in \
        (ROOT / "benchmarks" / "sparse_vs_dense.py").read_text()


def test_segmentation_modules_arch_modalities_are_as_the_bad_input_page_says():
    # 4f3b23f
    assert ("and `arch` modalities other than those its variant reads (`rgb`, `depth`, in that "
            "order, for the two-input variants") in _page("docs/bad_input.md")
    from pyg_fusion.training.segmentation import SegmentationModule
    arch = dict(depth=None, layers=[1, 1, 1, 1], width=8, decoder_features=16, light=True)
    with pytest.raises(ValueError, match=r"variant 'asymfusion' reads \['rgb', 'depth'\]"):
        SegmentationModule(num_classes=4, arch=dict(arch, modalities=("depth", "rgb")))
    SegmentationModule(num_classes=4, arch=dict(arch, modalities=["rgb", "depth"]))


def test_a_column_0_of_ip_addresses_is_ids_as_the_page_says(tmp_path):
    # 15bd61a: grouped numbers in column 0 are refused only where every cell is a number
    assert ("where every cell of it is a number in some writing (a column of IP addresses, "
            "`192.168.100.200` beside `10.0.0.1`, which is none, is ids)"
            ) in _page("datasets/README.md")
    from pyg_fusion.datasets._io import read_table
    path = tmp_path / "flows.csv"
    path.write_text("ip,a,b\n10.0.0.1,1.5,2\n192.168.100.200,2.5,3\n")
    assert read_table(str(path)).index == ["10.0.0.1", "192.168.100.200"]
