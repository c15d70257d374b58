"""Tests of the interpretations the notes put on numbers from the run.

Each test pins one sentence of a page: the number the page quotes, and
the words it reads from it, cannot drift apart unnoticed.
"""

import json
import pathlib

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mxnet import gluon, init, nd

from snippets import detection, lenet, mlp, overfitting, sweep, training
from snippets.activations import show_activations, softmax, stable_softmax
from snippets.batches import data_iter, first_class_steps
from snippets.dropout import gap_words, show_predict_in_train_mode
from snippets.exercises import running_loss_epoch
from snippets.fashion_mnist import read_fashion_mnist, split_validation
from snippets.initialization import get_params

DOCS = pathlib.Path(__file__).parent.parent / "docs"


def test_mlp_summary_compares_the_models_and_quotes_d2l_epochs():
    """mlp page: higher/lower words follow the accuracies; d2l's 5 epochs."""
    mlp_history = {"train_acc": [0.8] * 9 + [0.9], "test_acc": [0.84] * 10}
    softmax_history = {"train_acc": [0.85] * 10, "test_acc": [0.85] * 10}
    mlp_history["test_acc"][4] = 0.86
    summary = mlp.mlp_summary(mlp_history, softmax_history, 0.5, 0.1)
    assert summary["test_en"] == "lower than"
    assert summary["test_zh"] == "低于"
    assert summary["train_en"] == "higher than"
    assert summary["d2l_epochs"] == 5
    assert summary["mlp_test_acc_d2l"] == 0.86
    assert summary["num_epochs"] == 10


def test_null_space_part_is_what_the_training_inputs_cannot_see():
    """overfitting: 20 inputs in 200 dims leave a 180-dim null space."""
    X = nd.random.normal(shape=(20, 200))
    w = nd.random.normal(shape=(200, 1))
    part, dim = overfitting.null_space_part(X, w)
    assert dim == 180
    np.testing.assert_allclose(X.asnumpy() @ part, 0, atol=1e-4)
    rest = w.asnumpy().ravel() - part
    assert np.linalg.norm(part) > np.linalg.norm(rest)  # 180 of 200 dims


def test_constant_prediction_is_the_mean_training_y():
    """overfitting's dashed line: half squared error of the training mean."""
    train = (None, nd.array([1.0, 3.0]))
    test = (None, nd.array([0.0, 4.0]))
    assert overfitting.constant_test_loss(train, test) == 2.0


def test_legends_are_words_not_identifiers():
    """Figures label 'train_acc' as 'training accuracy'."""
    assert training.legend_label("train_acc") == "training accuracy"
    assert training.legend_label("test_loss") == "test loss"
    assert training.legend_label("mlp test") == "mlp test"


def test_softmax_regression_reports_its_train_test_gap():
    """training: the page quotes the gap, train minus test accuracy."""
    history = {"train_acc": [0.5, 0.86], "test_acc": [0.5, 0.84]}
    result = training.report_accuracy(history, lr=0.1)
    assert result["gap"] == pytest.approx(0.02)
    labels = [line.get_label() for line in plt.gcf().axes[0].lines]
    assert labels == ["training accuracy", "test accuracy"]


@pytest.mark.parametrize("initializer", [init.Normal(1), init.Constant(5)])
def test_initialize_leaves_a_dense_bias_at_zero(initializer):
    """initialization: initialize(Normal or Constant) sets the weight only."""
    net = gluon.nn.Dense(3, in_units=2)
    net.initialize(initializer)
    assert nd.abs(net.bias.data()).max().asscalar() == 0
    assert nd.abs(net.weight.data()).min().asscalar() > 0


def test_two_objects_sharing_a_best_anchor():
    """detection: greedy one-to-one; the second object may get nothing."""
    result = detection.show_shared_best_anchor()
    assert result["touching"] == "[1, 2]"
    assert 1e-6 < result["touching_iou"] < 0.5  # a weak but only anchor
    assert result["apart"] == "[1, 0]"
    assert result["shared_iou"] > 0.5


def test_multibox_detection_gives_an_anchor_its_best_class_only():
    """detection: one anchor scoring high for two classes yields one row."""
    cls_probs = nd.array([[0.0], [0.9], [0.8]])  # background, class 0, 1
    anchors = nd.array([[[0.1, 0.1, 0.5, 0.5]]])
    rows = detection.detect(cls_probs, anchors, nms_threshold=0.5)
    assert rows[:, 0].tolist() == [0]


def test_detection_figures_color_each_class_alike():
    """detection: a class has one color in the scene and the anchors."""
    detection.show_scene()
    scene = {p.get_edgecolor() for p in plt.gca().patches}
    plt.close("all")
    detection.show_anchor_labels()
    anchors = {p.get_edgecolor() for p in plt.gca().patches}
    assert anchors == scene  # three classes, three colors, both figures


def test_scratch_sigma_is_gluons_normal_default():
    """initialization: sigma 0.01 is also init.Normal()'s default."""
    assert init.Normal().sigma == 0.01
    W, _ = get_params(784, 10)
    assert float(W.asnumpy().std()) == pytest.approx(0.01, rel=0.05)


def test_mlp_for_lenet_trains_as_long_as_lenet(monkeypatch):
    """lenet: the MLP yardstick uses LeNet's epochs and batch size."""
    calls = []

    def fake_loaders(batch_size):
        calls.append(batch_size)
        return None, None

    def fake_train(train_iter, test_iter, num_epochs, lr, num_hiddens):
        calls.append(num_epochs)
        return {"train_acc": [0.5] * num_epochs, "test_acc": [0.8] * 3}

    monkeypatch.setattr(lenet, "load_data_fashion_mnist_nchw", fake_loaders)
    monkeypatch.setattr(lenet, "train_mlp_gluon", fake_train)
    result = lenet.show_mlp_same_epochs()
    assert calls == [lenet.BATCH_SIZE, lenet.NUM_EPOCHS]
    assert result["num_epochs"] == lenet.NUM_EPOCHS


def test_split_validation_holds_out_the_last_examples():
    """fashion_mnist: the validation part is the tail, disjoint from train."""
    X, y = nd.arange(10).reshape((5, 2)), nd.arange(5)
    (X_train, y_train), (X_valid, y_valid) = split_validation(X, y, 2)
    assert X_train.shape == (3, 2)
    assert y_train.asnumpy().tolist() == [0, 1, 2]
    assert y_valid.asnumpy().tolist() == [3, 4]
    assert X_valid.shape == (2, 2)


def test_sweep_validates_on_training_images_after_the_training_ones():
    """sweep: validation = the num_valid training images after num_train."""
    train, valid, test = sweep.load_splits(100, 30, 20)
    _, y_all = read_fashion_mnist(train=True)
    assert (len(train[1]), len(valid[1]), len(test[1])) == (100, 30, 20)
    assert (valid[1].asnumpy() == y_all[100:130].asnumpy()).all()


def test_sweep_seeds_repeat_and_spread():
    """sweep: one run per seed; same seed, same run; spread over seeds."""
    train, valid, _ = sweep.load_splits(300, 100, 10)
    args = (train, valid, [0.1], [64], 1)
    first, again, other = sweep.sweep_seeds(*args, seeds=[0, 0, 1])
    assert first == again
    assert first != other
    runs = [{(0.1, 64): {"test_acc": [a]}} for a in (0.5, 0.7)]
    mean, spread = sweep.accuracy_spread(runs, [0.1], [64])
    assert mean.tolist() == [[0.6]]
    assert spread[0, 0] == pytest.approx(0.1)


def test_sweep_helpers_choose_on_the_grid_and_count_rises():
    """sweep: the chosen pair is the grid's argmax; rises are counted."""
    grid = np.array([[0.1, 0.2], [0.4, 0.3]])
    assert sweep.best_on_grid(grid, [0.01, 0.1], [32, 128]) == (0.1, 32)
    assert sweep.count_rises([3.1, 43.0, 6.0, 4.0, 1.3]) == 1
    assert sweep.count_rises([1.4, 1.1, 1.0]) == 0


def test_dropout_gap_words_follow_the_accuracies():
    """dropout: the page's reason for the smaller gap comes from the run."""
    held_down = {"plain_train_acc": 0.95, "plain_test_acc": 0.6}
    held_down |= {"dropout_train_acc": 0.75, "dropout_test_acc": 0.62}
    held_down |= {"plain_gap": 0.35, "dropout_gap": 0.13}
    assert "training accuracy is held down" in gap_words(held_down)["why_en"]
    rises = held_down | {"dropout_train_acc": 0.9, "dropout_test_acc": 0.7}
    rises |= {"dropout_gap": 0.2}
    assert "test accuracy rises" in gap_words(rises)["why_en"]
    grows = held_down | {"dropout_gap": 0.4}
    assert gap_words(grows)["why_zh"] == "没有缩小"


def test_predictions_in_train_mode_differ():
    """dropout exercise 3: train_mode() draws a new mask on every call."""
    assert show_predict_in_train_mode() == {"train_mode": False, "plain": True}


def test_both_activation_panels_have_a_legend():
    """activations: the derivative panel names its curves too."""
    show_activations()
    panels = plt.gcf().axes
    assert [ax.get_legend() is not None for ax in panels] == [True, True]
    labels = [t.get_text() for t in panels[1].get_legend().get_texts()]
    assert labels == ["relu", "sigmoid", "tanh"]


def test_overfitting_panels_label_their_axes_in_words():
    """overfitting: every panel has a y-label; legends are words."""
    _, ax = plt.subplots()
    history = {"train_loss": [1.0, 0.5], "test_loss": [2.0, 1.5]}
    overfitting.plot_losses(ax, history, "decay 0", constant=0.9)
    assert ax.get_ylabel() == "loss"
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["training loss", "test loss", "constant"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_loss_during_an_epoch_exceeds_the_loss_after_and_comes_closer(seed):
    """sgd-exercises 3: larger in epoch one, closer (either way) by three."""
    sweep.seed_all(seed)
    train, _ = sweep.load_subset(3000, 1)
    net, loss = sweep.softmax_net(), gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(
        net.collect_params(), "sgd", {"learning_rate": 0.1}
    )
    gaps = []
    for _ in range(3):
        batches = data_iter(64, *train)
        during = running_loss_epoch(net, batches, loss, trainer.step)
        gaps.append(during - training.mean_loss(net, loss, *train))
    assert gaps[0] > 0  # 'larger' in the first epoch
    assert abs(gaps[-1]) < gaps[0]  # closer; the sign may flip by then


def test_stable_softmax_gives_the_shifted_row_exactly_the_first_rows():
    """activations: 'exactly the probabilities of the first row'."""
    X = nd.array([[1, 2, 3]])
    X = nd.concat(X, X + 999, dim=0)
    stable = stable_softmax(X).asnumpy()
    assert (stable[0] == stable[1]).all()
    naive_first = softmax(X[:1]).asnumpy()[0]
    np.testing.assert_allclose(naive_first, stable[0], rtol=1e-6)


def test_sorted_classes_fill_as_many_steps_each_give_or_take_one():
    """minibatches: each class fills about as many pure steps as the first."""
    _, y = read_fashion_mnist(train=True)
    labels = sorted(y.asnumpy().tolist())
    starts = range(0, len(labels), 256)
    pure = [labels[i] for i in starts if len(set(labels[i : i + 256])) == 1]
    counts = [pure.count(c) for c in range(10)]
    assert all(abs(count - counts[0]) <= 1 for count in counts)
    assert counts[0] == first_class_steps(labels, 256)


def test_sgd_exercise_3_prose_reads_the_sign_from_the_run():
    """sgd-exercises: no claim that the third epoch's gap is positive."""
    for name in ("sgd-exercises.en.ipynb", "sgd-exercises.ipynb"):
        cells = json.loads((DOCS / name).read_text(encoding="utf-8"))
        prose = "".join(cells["cells"][-1]["source"])
        assert "{{ last_gap:.3f }}" in prose
        assert "larger: by" not in prose
        assert "周期之中的平均损失更大：" not in prose


def test_images_show_bright_pixels_bright():
    """fashion-mnist, images, detection: gray, not the reversed gray_r."""
    axes = detection.show_canvas(np.eye(3), "one")
    assert axes[0].images[0].get_cmap().name == "gray"
    for module in ("fashion_mnist", "images", "detection"):
        source = (DOCS.parent / "snippets" / f"{module}.py").read_text()
        assert "gray_r" not in source, module


def test_linear_regression_curves_almost_coincide():
    """training: with plenty of data the two final losses nearly agree."""
    result = training.show_linear_regression()
    assert 0.5 < result["train_loss"] / result["test_loss"] < 2
    labels = [line.get_label() for line in plt.gcf().axes[0].lines]
    assert labels == ["training loss", "test loss", "noise level"]


def test_neighboring_anchors_often_overlap_less_than_a_half():
    """detection: why NMS at 0.5 leaves duplicates of one object."""
    size = detection.FEATURE_SIZE
    grid = detection.make_anchors(size)[0].reshape((size, size, -1, 4))
    here = grid[0, 0]  # one anchor of each shape at the first position
    overlaps = [
        detection.iou(here[k : k + 1], grid[r, c, k : k + 1]).asscalar()
        for k in range(here.shape[0])
        for r, c in ((0, 1), (1, 0), (1, 1))  # right, below, diagonal
    ]
    assert np.mean(np.array(overlaps) <= 0.5) > 0.5


def test_sigma_001_keeps_the_untrained_softmax_near_uniform():
    """initialization: with sigma 0.01, 784 inputs, scores stay near 0."""
    X, _ = read_fashion_mnist(train=False)
    X = X[:500].reshape((500, -1)).astype("float32") / 255
    W, b = get_params(784, 10)
    probs = softmax(nd.dot(X, W) + b).asnumpy()
    assert probs.max(axis=1).mean() < 0.15  # uniform would be 0.1


def test_small_initial_weights_leave_the_null_space_almost_empty():
    """overfitting exercise 3: same data, sigma 0.01, no decay."""
    result = overfitting.show_small_init()
    assert result["test_loss"] < 0.1  # against > 1 with N(0, 1) weights
    assert result["null_norm"] < 0.2  # a hundredth of the N(0, 1) part
