"""Dropout: from scratch, nn.Dropout, and what it does to overfitting."""

import contextlib
import functools

import matplotlib.pyplot as plt
import numpy as np
from mxnet import autograd, gluon, init, nd

from snippets.fashion_mnist import read_fashion_mnist, transform
from snippets.mlp import ArrayLoader
from snippets.training import train_classifier


def dropout(X, drop_prob):
    """Zero each element with probability drop_prob, scale the rest up."""
    if drop_prob == 1:
        return X.zeros_like()
    mask = nd.random.uniform(0, 1, X.shape) > drop_prob
    return mask * X / (1 - drop_prob)


def dropout_layer(X, drop_prob):
    """dropout(X) while training (autograd.is_training()), else X as is."""
    return dropout(X, drop_prob) if autograd.is_training() else X


def dropout_mlp(drop_prob1, drop_prob2, num_hiddens):
    """Two hidden ReLU layers, each followed by nn.Dropout, then Dense(10)."""
    net = gluon.nn.HybridSequential()
    net.add(
        gluon.nn.Dense(num_hiddens, activation="relu"),
        gluon.nn.Dropout(drop_prob1),
        gluon.nn.Dense(num_hiddens, activation="relu"),
        gluon.nn.Dropout(drop_prob2),
        gluon.nn.Dense(10),
    )
    net.initialize(init.Xavier())
    return net


def corrupt_labels(y, fraction):
    """Give a random fraction of the labels a uniformly random class."""
    y = y.asnumpy().copy()
    flip = np.random.uniform(size=len(y)) < fraction
    y[flip] = np.random.randint(0, 10, size=flip.sum())
    return nd.array(y, dtype="int32")


def noisy_fashion_mnist(num_train, label_noise, batch_size):
    """num_train training images with noisy labels; the clean test set."""
    X, y = read_fashion_mnist(train=True)
    X, y = transform(X[:num_train], y[:num_train])
    X_test, y_test = transform(*read_fashion_mnist(train=False))
    y_noisy = corrupt_labels(y, label_noise)
    train_iter = ArrayLoader(X, y_noisy, batch_size)
    test_iter = ArrayLoader(X_test, y_test, len(X_test), shuffle=False)
    return train_iter, test_iter


def train_dropout_mlp(drop_prob, num_hiddens, data, num_epochs, lr):
    """Train dropout_mlp on data = (train_iter, test_iter); accuracies."""
    train_iter, test_iter = data
    net = dropout_mlp(drop_prob, drop_prob, num_hiddens)
    net.hybridize()
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    return train_classifier(
        net, train_iter, test_iter, loss, trainer.step, num_epochs=num_epochs
    )


def last_mean(values, k=10):
    """Mean of the last k values: one epoch's accuracy is noisy."""
    return sum(values[-k:]) / len(values[-k:])


def show_dropout_scratch():
    """dropout() on a 2 x 8 matrix with drop_prob 0, 0.5 and 1."""
    X = nd.arange(16).reshape((2, 8))
    for drop_prob in (0, 0.5, 1):
        print(f"drop_prob = {drop_prob}:")
        print(dropout(X, drop_prob).asnumpy())
    X = nd.ones((1000, 1000))
    kept = dropout(X, 0.5)
    zeros = (kept == 0).mean().asscalar().item()
    mean = kept.mean().asscalar().item()
    print(f"{X.size} ones, drop_prob 0.5: zeros {zeros:.4f}, mean {mean:.4f}")
    return {"zeros": zeros, "mean": mean, "size": X.size}


def count_zeros(layer, X):
    """How many elements of layer(X) are exactly zero."""
    return int((layer(X) == 0).sum().asscalar())


def show_dropout_modes():
    """nn.Dropout(0.5) and dropout_layer on 100 ones, in four modes."""
    X, layer = nd.ones((1, 100)), gluon.nn.Dropout(0.5)
    ours = functools.partial(dropout_layer, drop_prob=0.5)
    modes = {
        "plain call": contextlib.nullcontext,
        "autograd.record()": autograd.record,
        "record(train_mode=False)": lambda: autograd.record(False),
        "autograd.train_mode()": autograd.train_mode,
    }
    print(f"{'':<26}{'is_training':>12}{'nn.Dropout':>12}{'ours':>6}")
    zeros = {}
    for name, mode in modes.items():
        with mode():
            training = autograd.is_training()
            zeros[name] = count_zeros(layer, X), count_zeros(ours, X)
        print(
            f"{name:<26}{training!s:>12}{zeros[name][0]:>12}"
            f"{zeros[name][1]:>6}"
        )
    return {"recorded_zeros": zeros["autograd.record()"][0], "size": X.size}


def plot_gap(histories):
    """Train and test accuracy per epoch, one color per configuration."""
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for (name, history), color in zip(
        histories.items(), ["C0", "C1"], strict=True
    ):
        epochs = range(1, len(history["train_acc"]) + 1)
        ax.plot(
            epochs, history["train_acc"], color=color, label=f"{name} train"
        )
        ax.plot(
            epochs,
            history["test_acc"],
            color=color,
            linestyle="--",
            label=f"{name} test",
        )
    ax.set(xlabel="epoch", ylabel="accuracy")
    ax.legend()
    fig.tight_layout()
    return fig


def gap_summary(history, k):
    """Train and test accuracy over the last k epochs, and their gap."""
    train_acc = last_mean(history["train_acc"], k)
    test_acc = last_mean(history["test_acc"], k)
    return {
        "train_acc": train_acc,
        "test_acc": test_acc,
        "gap": train_acc - test_acc,
    }


def show_dropout_overfitting():
    """1,000 images, 30% random labels, without and with dropout."""
    num_train, label_noise, num_hiddens = 1000, 0.3, 256
    num_epochs, lr, batch_size, drop_prob, k = 100, 0.1, 64, 0.5, 10
    data = noisy_fashion_mnist(num_train, label_noise, batch_size)
    histories, result = {}, {}
    columns = "".join(f"{c:>10}" for c in ("train acc", "test acc", "gap"))
    print(f"{f'mean of the last {k} epochs':<27}{columns}")
    for name, p in (("no dropout", 0), ("dropout", drop_prob)):
        histories[name] = train_dropout_mlp(
            p, num_hiddens, data, num_epochs, lr
        )
        summary = gap_summary(histories[name], k)
        print(f"{name:<27}" + "".join(f"{v:>10.3f}" for v in summary.values()))
        key = "plain" if p == 0 else "dropout"
        result |= {f"{key}_{stat}": v for stat, v in summary.items()}
    plot_gap(histories)
    return {
        **result,
        **gap_words(result),
        "num_train": num_train,
        "label_noise": label_noise,
        "num_hiddens": num_hiddens,
        "num_epochs": num_epochs,
        "lr": lr,
        "batch_size": batch_size,
        "drop_prob": drop_prob,
        "k": k,
    }


def gap_words(result):
    """Whether dropout shrank the gap, and mostly by which accuracy."""
    train_drop = result["plain_train_acc"] - result["dropout_train_acc"]
    test_gain = result["dropout_test_acc"] - result["plain_test_acc"]
    if result["dropout_gap"] >= result["plain_gap"]:
        en, zh = "does not shrink", "没有缩小"
    elif train_drop > test_gain:
        en = "shrinks mostly because the training accuracy is held down"
        zh = "缩小主要是因为训练准确率被压低了"
    else:
        en = "shrinks mostly because the test accuracy rises"
        zh = "缩小主要是因为测试准确率提高了"
    return {"why_en": en, "why_zh": zh}


def show_predict_in_train_mode():
    """One image, two predictions each way: train_mode() drops at random."""
    net = dropout_mlp(0.5, 0.5, num_hiddens=64)
    X = nd.random.uniform(shape=(1, 784))
    with autograd.train_mode():
        noisy = [net(X) for _ in range(2)]
    plain = [net(X) for _ in range(2)]
    same = {
        "train_mode": bool((noisy[0] == noisy[1]).min().asscalar()),
        "plain": bool((plain[0] == plain[1]).min().asscalar()),
    }
    print("two predictions equal? in train_mode():", same["train_mode"])
    print("                       in a plain call:", same["plain"])
    return same


def show_dropout_without_rescale():
    """Mean output of 0.5-dropout on ones, with and without 1/(1-p)."""
    X, drop_prob = nd.ones((1000, 1000)), 0.5
    mask = nd.random.uniform(0, 1, X.shape) > drop_prob
    outputs = {
        "training, mask only": mask * X,
        "training, mask / (1 - p)": mask * X / (1 - drop_prob),
        "prediction, X itself": X,
    }
    means = {
        name: out.mean().asscalar().item() for name, out in outputs.items()
    }
    for name, mean in means.items():
        print(f"{name:<26} mean {mean:.3f}")
    return {"mask_only": means["training, mask only"], "drop_prob": drop_prob}
