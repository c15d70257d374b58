"""Validation and model selection: a held-out split, early stopping, K-fold."""

import math
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np
from mxnet import gluon, init, nd

from snippets.fashion_mnist import (
    TEXT_LABELS,
    read_fashion_mnist,
    split_validation,
    transform,
)
from snippets.initialization import mlp
from snippets.metrics import evaluate_accuracy
from snippets.mlp import ArrayLoader
from snippets.phrases import comparison
from snippets.sweep import count_rises
from snippets.training import mean_loss, train_epoch

# A subset small enough to overfit in seconds: the first NUM_TRAIN training
# images to train on, the next NUM_VALID to validate on.
NUM_TRAIN, NUM_VALID = 2000, 1000
HYPER = {"num_hiddens": 256, "lr": 0.1, "batch_size": 64}


def load_data(num_train=NUM_TRAIN, num_valid=NUM_VALID):
    """Training and validation subsets (split_validation), and the test set."""
    X, y = read_fashion_mnist(train=True)
    n = num_train + num_valid
    train, valid = split_validation(*transform(X[:n], y[:n]), num_valid)
    return train, valid, transform(*read_fashion_mnist(train=False))


def new_mlp(num_hiddens):
    """A fresh MLP, Xavier-initialized."""
    net = mlp(num_hiddens, num_outputs=10)
    net.initialize(init.Xavier())
    return net


class Trial:
    """One model in training: its net, trainer, loss and training data."""

    def __init__(self, train, *, num_hiddens, lr, batch_size, wd=0.0):
        self.net = new_mlp(num_hiddens)
        hyper = {"learning_rate": lr, "wd": wd}
        params = self.net.collect_params()
        self.trainer = gluon.Trainer(params, "sgd", hyper)
        self.loss = gluon.loss.SoftmaxCrossEntropyLoss()
        self.batches = ArrayLoader(*train, batch_size)

    def epoch(self):
        """One pass over the training data."""
        train_epoch(self.net, self.batches, self.loss, self.trainer.step)

    def scores(self, data):
        """Mean loss and accuracy of the net on data = (X, y)."""
        loss = mean_loss(self.net, self.loss, *data)
        return loss, evaluate_accuracy([data], self.net)


def early_stopping(trial, valid, *, max_epochs, patience, path):
    """Train until the validation loss has not improved for patience
    epochs; keep the best epoch's parameters in path, and load them."""
    history = {"valid_loss": [], "valid_acc": []}
    best_epoch, best_loss = 0, math.inf
    for epoch in range(1, max_epochs + 1):
        trial.epoch()
        loss, acc = trial.scores(valid)
        history["valid_loss"].append(loss)
        history["valid_acc"].append(acc)
        if loss < best_loss:
            best_epoch, best_loss = epoch, loss
            trial.net.save_parameters(path)
        elif epoch - best_epoch >= patience:
            break
    trial.net.load_parameters(path)
    return history, best_epoch


def plot_validation(history, best_epoch):
    """Validation loss and accuracy by epoch, the chosen epoch marked."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2))
    epochs = range(1, len(history["valid_loss"]) + 1)
    left.plot(epochs, history["valid_loss"], marker="o")
    left.set(xlabel="epoch", ylabel="validation loss")
    right.plot(epochs, history["valid_acc"], marker="o")
    right.set(xlabel="epoch", ylabel="validation accuracy")
    for ax in (left, right):
        ax.axvline(best_epoch, color="gray", linestyle="--", label="chosen")
        ax.legend()
    fig.tight_layout()
    return fig


def show_split():
    """The split: sizes, and how many of each class validation holds."""
    train, valid, test = load_data()
    counts = np.bincount(valid[1].asnumpy(), minlength=len(TEXT_LABELS))
    print("train:", train[0].shape, " valid:", valid[0].shape)
    print("test: ", test[0].shape, " (put aside)")
    print("validation examples per class:", counts.tolist())
    return {
        "num_train": len(train[1]),
        "num_valid": len(valid[1]),
        "num_test": len(test[1]),
        "fewest": int(counts.min()),
        "most": int(counts.max()),
    }


def show_early_stopping():
    """Early stopping on validation; the test set used once, at the end."""
    max_epochs, patience = 40, 5
    train, valid, test = load_data()
    trial = Trial(train, **HYPER)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "best.params")
        history, best = early_stopping(
            trial, valid, max_epochs=max_epochs, patience=patience, path=path
        )
    plot_validation(history, best)
    _, test_acc = trial.scores(test)
    stopped = len(history["valid_loss"])
    print(f"stopped after epoch {stopped}; best validation loss at {best}")
    print(f"its validation accuracy {history['valid_acc'][best - 1]:.3f}")
    print(f"test accuracy, measured once: {test_acc:.3f}")
    return {
        "max_epochs": max_epochs,
        "patience": patience,
        "stopped": stopped,
        "best_epoch": best,
        "best_valid_loss": history["valid_loss"][best - 1],
        "valid_acc": history["valid_acc"][best - 1],
        "last_valid_loss": history["valid_loss"][-1],
        "rises": count_rises(history["valid_loss"]),
        "past_best": stopped - best,
        "test_acc": test_acc,
        **HYPER,
    }


def k_fold(X, y, k):
    """The k (train, valid) pairs of K-fold: fold i of k validates."""
    size = len(X) // k
    folds = []
    for i in range(k):
        start, stop = i * size, (i + 1) * size
        inside = nd.arange(start, stop)
        outside = nd.array([j for j in range(len(X)) if not start <= j < stop])
        train = (X.take(outside), y.take(outside))
        folds.append((train, (X.take(inside), y.take(inside))))
    return folds


def fold_scores(folds, num_epochs, **hyper):
    """Train once per fold; the validation (loss, accuracy) of each."""
    scores = []
    for train, valid in folds:
        trial = Trial(train, **hyper)
        for _ in range(num_epochs):
            trial.epoch()
        scores.append(trial.scores(valid))
    return np.array(scores)


def show_k_fold():
    """Choose the weight decay by K-fold on a subset; test once."""
    k, num_examples, num_epochs = 4, 1000, 10
    strengths = (0, 0.01, 0.1)
    X, y = transform(*(a[:num_examples] for a in read_fashion_mnist()))
    folds = k_fold(X, y, k)
    print(
        f"{'wd':>6} {'valid loss':>10} {'valid acc':>9}  (mean of {k} folds)"
    )
    means = {}
    for wd in strengths:
        means[wd] = fold_scores(folds, num_epochs, wd=wd, **HYPER).mean(axis=0)
        print(f"{wd:>6} {means[wd][0]:10.3f} {means[wd][1]:9.3f}")
    best = max(strengths, key=lambda wd: means[wd][1])
    trial = Trial((X, y), wd=best, **HYPER)
    for _ in range(num_epochs):
        trial.epoch()
    _, test_acc = trial.scores(transform(*read_fashion_mnist(train=False)))
    print(f"chosen: wd = {best}; trained again on all {num_examples}")
    print(f"test accuracy, measured once: {test_acc:.3f}")
    return {
        "k": k,
        "num_examples": num_examples,
        "fold_size": num_examples // k,
        "num_epochs": num_epochs,
        "strengths": list(strengths),
        "best_wd": best,
        "best_valid_acc": float(means[best][1]),
        "test_acc": test_acc,
        **comparison("test_vs_valid", test_acc, float(means[best][1])),
    }


def show_optimism():
    """Exercise: the best of 20 equally good models on one test set."""
    num_models, num_test, true_acc, repeats = 20, 1000, 0.8, 10_000
    rng = np.random.default_rng(0)
    correct = rng.binomial(num_test, true_acc, size=(repeats, num_models))
    measured = correct / num_test
    best = measured.max(axis=1)
    print(f"{num_models} models, each right on {true_acc:.0%} of all images")
    print(f"one model, {num_test} test images: {measured[:, 0].mean():.4f}")
    print(f"the best of {num_models} on the same images: {best.mean():.4f}")
    print(f"the best is above {true_acc} in {(best > true_acc).mean():.1%}")
    return {
        "num_models": num_models,
        "num_test": num_test,
        "true_acc": true_acc,
        "one": float(measured[:, 0].mean()),
        "best": float(best.mean()),
        "above": float((best > true_acc).mean()),
    }


def show_folds_of_ten():
    """Exercise: k_fold with k = 3 on 10 examples; who validates when."""
    X, y = nd.arange(10).reshape((10, 1)), nd.arange(10)
    validated = set()
    for i, (train, valid) in enumerate(k_fold(X, y, 3)):
        names = [int(v) for v in valid[1].asnumpy()]
        validated.update(names)
        others = [int(v) for v in train[1].asnumpy()]
        print(f"fold {i}: validate on {names}, train on {others}")
    never = sorted(set(range(10)) - validated)
    print("never in a validation part:", never)
    return {"never": never, "never_text": ", ".join(map(str, never))}
