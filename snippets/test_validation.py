"""Tests for snippets.validation: the split, early stopping and K-fold."""

import pathlib

import mxnet as mx
import pytest
from mxnet import nd

from snippets.fashion_mnist import read_fashion_mnist
from snippets.validation import (
    NUM_TRAIN,
    NUM_VALID,
    Trial,
    early_stopping,
    fold_scores,
    k_fold,
    load_data,
    show_folds_of_ten,
    show_optimism,
    show_split,
)

HYPER = {"num_hiddens": 16, "lr": 0.1, "batch_size": 50}


def test_validation_is_the_training_images_after_the_training_ones():
    """load_data: train, then the next images as validation; full test."""
    train, valid, test = load_data(100, 30)
    _, y_all = read_fashion_mnist(train=True)
    assert (len(train[1]), len(valid[1]), len(test[1])) == (100, 30, 10_000)
    assert (valid[1].asnumpy() == y_all[100:130].asnumpy()).all()
    assert float(train[0].max().asscalar()) <= 1.0  # scaled like the rest


def test_k_fold_validates_each_example_at_most_once_and_never_trains_on_it():
    """Each fold's validation part is disjoint from its training part."""
    X, y = nd.arange(20).reshape((10, 2)), nd.arange(10)
    folds = k_fold(X, y, 5)
    seen = []
    for train, valid in folds:
        names = valid[1].asnumpy().tolist()
        assert not set(names) & set(train[1].asnumpy().tolist())
        assert len(train[1]) + len(names) == 10
        assert (valid[0][:, 0].asnumpy() == 2 * valid[1].asnumpy()).all()
        seen += names
    assert sorted(seen) == list(range(10))


def test_k_fold_leaves_the_remainder_out_of_validation_only():
    """Exercise 3: 10 examples, k = 3: example 9 only ever trains."""
    assert show_folds_of_ten()["never"] == [9]


class FakeNet:
    """Records which epoch's parameters were saved and loaded."""

    def __init__(self):
        self.epoch, self.saved, self.loaded = 0, {}, None

    def save_parameters(self, path):
        """Remember the current epoch under path."""
        self.saved[path] = self.epoch

    def load_parameters(self, path):
        """Go back to the epoch saved under path."""
        self.loaded = self.epoch = self.saved[path]


class FakeTrial:
    """A trial whose validation losses are given in advance."""

    def __init__(self, losses):
        self.net, self.losses = FakeNet(), losses

    def epoch(self):
        """One more epoch."""
        self.net.epoch += 1

    def scores(self, valid):
        """The given loss of this epoch, and a made-up accuracy."""
        return self.losses[self.net.epoch - 1], 0.5


def test_early_stopping_waits_patience_epochs_and_goes_back_to_the_best():
    """The best epoch is kept; training stops patience epochs after it."""
    trial = FakeTrial([3.0, 2.0, 2.5, 1.5, 1.6, 1.7, 1.4, 9.0, 9.0])
    history, best = early_stopping(
        trial, None, max_epochs=9, patience=2, path="p"
    )
    assert best == 4
    assert len(history["valid_loss"]) == 6  # epochs 5 and 6 did not improve
    assert history["valid_loss"][-1] >= history["valid_loss"][best - 1]
    assert trial.net.loaded == 4
    never_better = FakeTrial([1.0] * 5)
    _, best = early_stopping(
        never_better, None, max_epochs=5, patience=10, path="p"
    )
    assert best == 1  # a tie is no improvement


def test_the_checkpoint_gives_back_the_chosen_epochs_model(tmp_path):
    """After early stopping, the net scores exactly its best epoch's loss."""
    train, valid, _ = load_data(300, 100)
    trial = Trial(train, **HYPER)
    history, best = early_stopping(
        trial,
        valid,
        max_epochs=6,
        patience=1,
        path=str(tmp_path / "best.params"),
    )
    loss, acc = trial.scores(valid)
    assert loss == history["valid_loss"][best - 1]
    assert acc == history["valid_acc"][best - 1]
    assert loss == min(history["valid_loss"])


def test_weight_decay_is_passed_to_the_trainer():
    """Trial(wd=...) decays: a strong wd ends with smaller weights."""
    train, _, _ = load_data(200, 0)
    norms = []
    for wd in (0, 0.5):
        mx.random.seed(0)  # the same initial weights for both
        trial = Trial(train, wd=wd, **HYPER)
        trial.epoch()
        norms.append(nd.norm(trial.net[0].weight.data()).asscalar())
    assert norms[1] < norms[0]


def test_fold_scores_has_a_loss_and_an_accuracy_per_fold():
    """fold_scores: one (loss, accuracy) row per fold."""
    X, y = load_data(120, 0)[0]
    scores = fold_scores(k_fold(X, y, 3), 1, **HYPER)
    assert scores.shape == (3, 2)
    assert ((scores[:, 1] >= 0) & (scores[:, 1] <= 1)).all()


def test_choosing_the_best_of_many_on_one_test_set_is_optimistic():
    """Exercise 1: the best measured accuracy overstates the true one."""
    out = show_optimism()
    assert out["one"] == pytest.approx(out["true_acc"], abs=0.002)
    assert out["best"] > out["true_acc"] + 0.01
    assert out["above"] > 0.95


def test_the_validation_part_holds_every_class():
    """validation page: the last training images are not of one class."""
    out = show_split()
    assert out["fewest"] > 0
    assert (out["num_train"], out["num_valid"]) == (NUM_TRAIN, NUM_VALID)


def test_the_notes_that_choose_point_to_the_validation_note():
    """mlp's best epoch, overfitting's lambda and dropout's p link here."""
    docs = pathlib.Path(__file__).parent.parent / "docs"
    for name in ("mlp", "overfitting", "dropout"):
        for lang in ("", ".en"):
            text = (docs / f"{name}{lang}.md").read_text(encoding="utf-8")
            assert "(validation.md)" in text, f"{name}{lang}.md"
