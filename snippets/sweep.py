"""A learning rate x batch size sweep of softmax regression, with plots."""

import itertools
import random

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
from mxnet import gluon, init

from snippets.batches import data_iter
from snippets.fashion_mnist import (
    read_fashion_mnist,
    split_validation,
    transform,
)
from snippets.metrics import evaluate_accuracy
from snippets.training import mean_loss, train_epoch


def load_subset(num_train, num_test):
    """The first num_train training and num_test test examples, scaled."""
    X, y = read_fashion_mnist(train=True)
    X_test, y_test = read_fashion_mnist(train=False)
    train = transform(X[:num_train], y[:num_train])
    return train, transform(X_test[:num_test], y_test[:num_test])


def load_splits(num_train, num_valid, num_test):
    """Training, validation (the next training images) and test subsets."""
    (X, y), test = load_subset(num_train + num_valid, num_test)
    train, valid = split_validation(X, y, num_valid)
    return train, valid, test


def softmax_net():
    """Softmax regression in Gluon: one Dense(10), weights from N(0, 0.01)."""
    net = gluon.nn.Dense(10)
    net.initialize(init.Normal(sigma=0.01))
    return net


def train_softmax(train, test, lr, batch_size, num_epochs):
    """Train softmax regression; its train loss and test accuracy by epoch."""
    net, loss = softmax_net(), gluon.loss.SoftmaxCrossEntropyLoss()
    hyper = {"learning_rate": lr}
    trainer = gluon.Trainer(net.collect_params(), "sgd", hyper)
    history = {"train_loss": [], "test_acc": []}
    for _ in range(num_epochs):
        train_epoch(net, data_iter(batch_size, *train), loss, trainer.step)
        history["train_loss"].append(mean_loss(net, loss, *train))
        history["test_acc"].append(evaluate_accuracy([test], net))
    return history


def sweep(train, test, lrs, batch_sizes, num_epochs):
    """Train once per (lr, batch_size); the histories by that pair."""
    pairs = itertools.product(lrs, batch_sizes)
    return {
        (lr, b): train_softmax(train, test, lr, b, num_epochs)
        for lr, b in pairs
    }


def seed_all(seed):
    """Seed Python's, NumPy's and MXNet's random number generators."""
    random.seed(seed)
    np.random.seed(seed)
    mx.random.seed(seed)


def sweep_seeds(train, valid, lrs, batch_sizes, num_epochs, seeds):
    """The sweep once per seed (initial weights, batch order): a list."""
    runs = []
    for seed in seeds:
        seed_all(seed)
        runs.append(sweep(train, valid, lrs, batch_sizes, num_epochs))
    return runs


def accuracy_spread(runs, lrs, batch_sizes):
    """Mean and standard deviation over the seeds of the final accuracy."""
    grids = np.stack([final_accuracy(r, lrs, batch_sizes) for r in runs])
    return grids.mean(axis=0), grids.std(axis=0)


def best_on_grid(grid, lrs, batch_sizes):
    """The (lr, batch_size) of the grid's largest value."""
    i, j = np.unravel_index(grid.argmax(), grid.shape)
    return lrs[i], batch_sizes[j]


def count_rises(losses):
    """How many epochs ended with a higher loss than the one before."""
    return sum(
        later > earlier for earlier, later in itertools.pairwise(losses)
    )


def final_accuracy(results, lrs, batch_sizes):
    """The last test accuracy of each run: a row per lr, a column per batch."""
    return np.array(
        [[results[(lr, b)]["test_acc"][-1] for b in batch_sizes] for lr in lrs]
    )


def best_setting(results):
    """The (lr, batch_size) whose run ended with the best test accuracy."""
    return max(results, key=lambda pair: results[pair]["test_acc"][-1])


def print_grid(grid, lrs, batch_sizes):
    """Print the grid as a table: a row per lr, a column per batch size."""
    print("lr \\ batch", *(f"{b:>7}" for b in batch_sizes))
    for lr, row in zip(lrs, grid, strict=True):
        print(f"{lr:>10}", *(f"{value:7.3f}" for value in row))


def plot_heatmap(grid, lrs, batch_sizes, label="test accuracy"):
    """A heat map of the grid, each cell labelled with its value."""
    fig, ax = plt.subplots(figsize=(4.5, 3.8))
    image = ax.imshow(grid, cmap="viridis", origin="lower", aspect="auto")
    for (i, j), value in np.ndenumerate(grid):
        color = "black" if value > grid.mean() else "white"
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=color)
    ax.set(xticks=range(len(batch_sizes)), xticklabels=batch_sizes)
    ax.set(yticks=range(len(lrs)), yticklabels=lrs)
    ax.set(xlabel="batch size", ylabel="learning rate")
    ax.grid(False)
    fig.colorbar(image, ax=ax, label=label)
    return fig


def plot_loss_curves(results, lrs, batch_sizes):
    """The train loss by epoch: a panel per batch size, a line per lr."""
    fig, axes = plt.subplots(
        1, len(batch_sizes), figsize=(9, 3.2), sharey=True
    )
    for ax, b in zip(axes, batch_sizes, strict=True):
        for lr in lrs:
            losses = results[(lr, b)]["train_loss"]
            ax.plot(range(1, len(losses) + 1), losses, label=f"lr {lr}")
        ax.set(title=f"batch size {b}", xlabel="epoch", yscale="log")
    axes[0].set_ylabel("train loss")
    axes[-1].legend(fontsize="small")
    fig.tight_layout()
    return fig
