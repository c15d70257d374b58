"""Tests of the notes' prose: sentences that read a number from the run.

They read the Markdown source, which is cheap; the numbers themselves are
pinned by the tests of each snippet module.
"""

import json
import pathlib
import re

import pytest

DOCS = pathlib.Path(__file__).parent.parent / "docs"
NOTES = sorted(
    path
    for path in DOCS.glob("*.md")
    if not path.name.startswith(("index", "guarantees", "authoring"))
)


def page(name):
    """The Markdown source of docs/NAME."""
    return (DOCS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("path", NOTES, ids=lambda path: path.name)
def test_no_page_calls_a_difference_rounding_by_hand(path):
    """A quoted *diff value is never followed by a typed-in 'rounding'."""
    typed = re.compile(
        r'\["\w*diff"\][^}]*\}\}[\s,，:：]*(float32 rounding|是 float32|只是)'
    )
    assert not typed.search(path.read_text(encoding="utf-8")), path.name


def test_mlp_page_says_d2l_trains_for_its_own_number_of_epochs():
    """mlp: d2l-zh's mlp-gluon trains 5 epochs, not this page's 10."""
    en, zh = page("mlp.en.md"), page("mlp.md")
    assert "learning rate and epochs" not in en
    assert "学习率和迭代周期数" not in zh
    for text in (en, zh):
        assert 'show_mlp_vs_softmax["d2l_epochs"]' in text
        assert 'show_mlp_vs_softmax["test_' in text  # words from the run


def test_overfitting_page_explains_the_null_space_and_the_constant():
    """overfitting: the ratio, null space and constant come from the run."""
    en, zh = page("overfitting.en.md"), page("overfitting.md")
    assert "dozens of times" not in en
    assert "几十倍" not in zh
    for text in (en, zh):
        for key in ("norm_ratio_0", "null_dim", "null_norm_0"):
            assert f'["{key}"]' in text, key
        assert '["vs_constant_10_' in text  # the exercise's honest answer


def test_training_page_does_not_read_underfitting_from_a_small_gap():
    """training: a small train/test gap shows no overfitting, nothing more."""
    assert "the linear model underfits." not in page("training.en.md")
    assert "说明线性模型欠拟合" not in page("training.md")
    for name in ("training.en.md", "training.md"):
        assert 'show_softmax_regression["gap"]' in page(name)


def nav_pages():
    """The pages of mkdocs.yml's nav, in order (one '- name.md' a line)."""
    text = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text.split("\nnav:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"- (?:\S+: )?([\w-]+\.(?:md|ipynb))$", nav, re.M)


def test_nav_grows_the_models_in_order_with_each_notebook_by_its_note():
    """training, mlp, overfitting, dropout, conv-channels, lenet in order."""
    pages = nav_pages()
    models = ["training.md", "mlp.md", "overfitting.md", "dropout.md"]
    models += ["conv-channels.md", "lenet.md"]
    positions = [pages.index(name) for name in models]
    assert positions == sorted(positions)
    assert pages.index("conv-channels.md") + 1 == pages.index("lenet.md")
    after_training = pages[pages.index("training.md") + 1 :][:2]
    assert sorted(after_training) == ["sgd-exercises.ipynb", "sweep.ipynb"]


def test_image_augmentation_has_one_chinese_name():
    """d2l-zh's 图像增广 everywhere; 数据增强 only in the glossary's note."""
    for path in NOTES:
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if "数据增强" in line:
                assert path.name.startswith("glossary"), path.name
                assert "图像增广" in line
        if path.name.endswith(".en.md"):
            assert "data augmentation" not in text, path.name


def test_pages_say_what_needs_cv2_and_what_comes_later():
    """images: only pack_img needs cv2; fashion-mnist: training comes later."""
    assert "--pass-through" in page("images.en.md")
    assert "--pass-through" in page("images.md")
    assert "re-encode images with" not in page("images.en.md")
    assert "earlier notes" not in page("fashion-mnist.en.md")
    assert "这几页前面的" not in page("fashion-mnist.md")
    for name in ("initialization.en.md", "initialization.md"):
        assert "bias_initializer" in page(name)


def test_detection_page_no_longer_promises_every_object_an_anchor():
    """detection: greedy one-to-one matching, box_nms, arg-max class."""
    en, zh = page("detection.en.md"), page("detection.md")
    assert "every object gets at least one anchor" not in en
    assert "保证了每个物体至少有一个锚框" not in zh
    for text in (en, zh):
        assert "box_nms" in text
        assert "show_shared_best_anchor" in text


def test_resnet_page_tables_every_model_from_the_runs():
    """resnet: table rows quote the runs; comparisons are the runs' words."""
    for name in ("resnet.en.md", "resnet.md"):
        text = page(name)
        table = text.split("| --- |", 1)[1].split("\n\n", 1)[0]
        assert table.count("\n|") == 6  # softmax, MLP, LeNet twice, BN, ResNet
        assert table.count("{{ snippets.") == 12  # epochs and accuracy each
        for key in ("bn_vs_plain_", "vs_mlp_", "same_"):
            assert f'["{key}' in text, key


def test_finetune_page_compares_from_the_run_and_runs_no_download():
    """finetune: words from the run; the zoo's weights are shown, not run."""
    for name in ("finetune.en.md", "finetune.md"):
        text = page(name)
        assert 'show_fine_tuning["tuned_vs_scratch_' in text
        assert 'show_lenet_on_folder["test_acc"]' in text
        assert "{show} snippets.finetune.zoo_fine_tune_net" in text
        assert "{run} snippets.finetune.zoo_fine_tune_net" not in text


def test_lenet_page_compares_with_the_mlp_at_equal_epochs():
    """lenet: no 'compare with the MLP page'; an equal-epoch MLP run."""
    assert "Compare with the results on the [MLP]" not in page("lenet.en.md")
    for name in ("lenet.en.md", "lenet.md"):
        assert "show_mlp_same_epochs" in page(name)
        assert "_kwargs" in page(name)


def notebook_text(name, kind):
    """The joined sources of a notebook's cells of one kind."""
    cells = json.loads((DOCS / name).read_text(encoding="utf-8"))["cells"]
    return "\n".join(
        "".join(cell["source"]) for cell in cells if cell["cell_type"] == kind
    )


@pytest.mark.parametrize("name", ["sweep.en.ipynb", "sweep.ipynb"])
def test_sweep_chooses_on_validation_over_several_seeds(name):
    """sweep: chosen on the mean validation grid; test used once."""
    code = notebook_text(name, "code")
    assert "sweep_seeds(train, valid" in code
    assert "best_on_grid(mean" in code
    assert code.count("train_softmax(train, test") == 1
    prose = notebook_text(name, "markdown")
    assert "hardly learned anything" not in prose
    assert "几乎还没学会" not in prose
    assert "{{ largest_spread:.3f }}" in prose


def test_dropout_page_links_weight_decay_and_answers_its_exercises():
    """dropout: weight decay lives on overfitting; exercises 2 and 3."""
    for name in ("dropout.en.md", "dropout.md"):
        text = page(name)
        intro = text.split("\n## ", 1)[0]
        assert "(overfitting.md)" in intro
        assert "show_predict_in_train_mode" in text
        assert text.count("??? ") >= 3  # a hint or solution per exercise
        assert 'show_dropout_overfitting["why_' in text


def test_images_page_quotes_its_gap_and_hints_exercise_3():
    """images: the gap from the run; no typed-in range of milliseconds."""
    for name in ("images.en.md", "images.md"):
        text = page(name)
        assert 'show_lenet_on_folder["gap"]' in text
        assert "HorizontalFlipAug(0.5)" in text.split("3. ", 1)[-1]
    assert "tens to\nhundreds of milliseconds" not in page("images.en.md")
    assert "几十到几百毫秒" not in page("images.md")


def test_fashion_mnist_quotes_the_per_batch_ratio_it_reads():
    """fashion-mnist: 'about as fast' replaced by the measured ratio."""
    assert "is about as\nfast" not in page("fashion-mnist.en.md")
    assert "速度相差不大" not in page("fashion-mnist.md")
    for name in ("fashion-mnist.en.md", "fashion-mnist.md"):
        assert page(name).count('show_transform_timing["batch_ratio"]') == 2


def exercise_chunks(text):
    """The exercises of a page's last section, one text per exercise."""
    exercises = re.split(r"\n## (?:Exercises|练习)\n", text)[-1]
    starts = r"\n(?=\d\. |\*\*(?:Exercise|练习) \d)"
    return [chunk for chunk in re.split(starts, exercises) if chunk.strip()]


@pytest.mark.parametrize(
    "name",
    [
        f"{note}{lang}.md"
        for note in ("dropout", "lenet", "images", "mlp", "resnet", "finetune")
        for lang in ("", ".en")
    ],
)
def test_every_exercise_has_a_hint_or_a_solution(name):
    """dropout, lenet, images, mlp: no open exercise without help."""
    chunks = exercise_chunks(page(name))
    assert len(chunks) >= 3
    for chunk in chunks:
        assert "??? " in chunk, chunk[:60]


def test_cross_links_and_plain_words_replace_repeats():
    """mlp links Xavier's derivation; lenet and initialization explain."""
    for lang in ("", ".en"):
        mlp_xavier = page(f"mlp{lang}.md").split("## Xavier", 1)[1][:600]
        assert "(initialization.md)" in mlp_xavier
        assert "show_epoch_times" in page(f"mlp{lang}.md")
        assert "init.Normal()" in page(f"initialization{lang}.md")
    assert "**private** `_kwargs`" in page("lenet.en.md")
    assert "**私有**的 `_kwargs`" in page("lenet.md")


def gap(span, other):
    """Characters between two spans of a text (0 if they overlap)."""
    return max(0, other[0] - span[1], span[0] - other[1])


def test_next_page_means_the_next_page_of_the_nav():
    """The link nearest to 'next page' leads to the next page of the nav."""
    pages = [name for name in nav_pages() if name.endswith(".md")]
    for path in NOTES:
        base = path.name.replace(".en.md", ".md")
        text = path.read_text(encoding="utf-8")
        links = list(re.finditer(r"\[[^\]]*\]\(([\w-]+\.md)\)", text))
        for phrase in re.finditer(r"next page|下一页", text):
            _, target = min(
                (gap(link.span(), phrase.span()), link.group(1))
                for link in links
            )
            following = pages[pages.index(base) + 1]
            assert target == following, (path.name, target)


@pytest.mark.parametrize("path", NOTES, ids=lambda path: path.name)
def test_each_language_quotes_its_own_phrases(path):
    """A zh page quotes KEY_zh phrases, an en page KEY_en ones."""
    other = "zh" if path.name.endswith(".en.md") else "en"
    assert f'_{other}"]' not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", NOTES, ids=lambda path: path.name)
def test_no_inline_value_inside_a_code_span(path):
    """`{{ ... }}` is shown as typed: a code span keeps its braces."""
    assert "`{{" not in path.read_text(encoding="utf-8"), path.name


def run_blocks(text, kind="run"):
    """The {kind} blocks of a page: (target, body) pairs."""
    pattern = r"```\{" + kind + r"\} (\S+)\n(.*?)```"
    return re.findall(pattern, text, re.S)


@pytest.mark.parametrize("name", ["context.en.md", "context.md"])
def test_context_page_marks_timings_and_runs_no_gpu_code(name):
    """context: timings marked varying; the GPU code is shown, not run."""
    text = page(name)
    runs = dict(run_blocks(text))
    assert "varies: true" in runs["snippets.context.show_async_timing"]
    assert all(
        "varies" not in body
        for target, body in runs.items()
        if not target.endswith("show_async_timing")
    )
    assert not any("gpu" in target for target in runs)
    shown = [target for target, _ in run_blocks(text, "show")]
    assert "snippets.context.train_on_gpus" in shown
    assert '!!! note "' in text.split("\n## ", 1)[0]  # CPU only, said first


@pytest.mark.parametrize(
    "name",
    [
        f"{note}{lang}.md"
        for note in ("context", "optimizers")
        for lang in ("", ".en")
    ],
)
def test_new_chapters_answer_every_exercise(name):
    """context, optimizers: every exercise has a folded, run solution."""
    chunks = exercise_chunks(page(name))
    assert len(chunks) == 3
    for chunk in chunks:
        assert '??? success "' in chunk, chunk[:60]
        assert "```{run} snippets." in chunk, chunk[:60]


@pytest.mark.parametrize("name", ["optimizers.en.md", "optimizers.md"])
def test_optimizers_page_reads_drops_and_comparisons_from_the_run(name):
    """optimizers: update numbers and higher/lower words come from the run."""
    text = page(name)
    for key in ("first_update", "second_update", "acc_", "spread_"):
        assert f'show_schedule_curves["{key}' in text, key
    assert "160" not in text
    assert "280" not in text
