"""Minibatches: a shuffled iterator from scratch and Gluon's DataLoader."""

import random

import mxnet as mx
import numpy as np
from mxnet import gluon, nd

from snippets.fashion_mnist import exhaust, read_fashion_mnist, seconds


def data_iter(batch_size, X, y):
    """Yield shuffled minibatches (X, y); the last one may be smaller."""
    indices = list(range(len(X)))
    random.shuffle(indices)
    for i in range(0, len(indices), batch_size):
        j = nd.array(indices[i : i + batch_size])
        yield X.take(j), y.take(j)


def load_array(X, y, batch_size, shuffle=True):
    """A Gluon DataLoader that yields minibatches of the arrays X and y."""
    dataset = gluon.data.ArrayDataset(X, y)
    return gluon.data.DataLoader(dataset, batch_size, shuffle=shuffle)


def epoch_seconds(batches):
    """Wall time of one pass over batches, waiting for MXNet to finish."""
    return seconds(exhaust, batches)


def first_class_steps(labels, batch_size):
    """How many leading batches of the labels hold the first class only."""
    steps = 0
    for i in range(0, len(labels), batch_size):
        if set(labels[i : i + batch_size]) != {labels[0]}:
            break
        steps += 1
    return steps


def epoch_labels(batches):
    """The labels of one epoch, batch after batch, as one list of ints."""
    return [int(label) for _, y in batches for label in y.asnumpy()]


def compare_seeds(seeds, make_batches):
    """Seed with 0 before each of two epochs; whether their orders match."""
    repeats = {}
    for name, seed in seeds.items():
        orders = []
        for _ in range(2):
            seed(0)
            orders.append(epoch_labels(make_batches()))
        print(f"{name}(0) before each epoch:", *orders)
        repeats[name] = orders[0] == orders[1]
    return repeats


def show_minibatches():
    """Ten examples in batches of 4: from scratch and with DataLoader."""
    num_examples, batch_size = 10, 4
    X = nd.arange(2 * num_examples).reshape((num_examples, 2))
    y = nd.arange(num_examples)
    for i, (X_batch, y_batch) in enumerate(data_iter(batch_size, X, y)):
        print(f"data_iter batch {i}: y =", y_batch.asnumpy(), X_batch.shape)
    for i, (X_batch, y_batch) in enumerate(load_array(X, y, batch_size)):
        print(f"DataLoader batch {i}: y =", y_batch.asnumpy(), X_batch.shape)
    return {"num_examples": num_examples, "batch_size": batch_size}


def show_sorted_epoch():
    """Fashion-MNIST sorted by class, not shuffled: steps of one class."""
    batch_size = 256
    _, y = read_fashion_mnist(train=True)
    labels = sorted(y.asnumpy().tolist())
    steps = first_class_steps(labels, batch_size)
    print(f"{len(labels)} labels sorted by class, batch size {batch_size}")
    print(f"examples of class 0: {labels.count(0)}")
    print(f"the first {steps} steps see class 0 only")
    return {
        "per_class": labels.count(0),
        "batch_size": batch_size,
        "steps": steps,
    }


def show_shuffle_seeds():
    """Which seed makes DataLoader repeat its order: NumPy's, not MXNet's."""
    X = nd.arange(8).astype("int32")
    seeds = {
        "mx.random.seed": mx.random.seed,
        "np.random.seed": np.random.seed,
    }
    repeats = compare_seeds(seeds, lambda: load_array(X, X, 4))
    return {
        "mx_repeats": repeats["mx.random.seed"],
        "np_repeats": repeats["np.random.seed"],
    }


def show_last_batch():
    """Two epochs of DataLoader's three last_batch modes, 10 examples."""
    dataset = gluon.data.ArrayDataset(nd.arange(10).astype("int32"))
    sizes = {}
    for mode in ("keep", "discard", "rollover"):
        loader = gluon.data.DataLoader(dataset, 4, last_batch=mode)
        for epoch in (1, 2):
            batches = [batch.asnumpy().tolist() for batch in loader]
            print(f"{mode:<8} epoch {epoch}: {batches}")
        sizes[mode] = [len(batch) for batch in batches]
    return {"num_batches": len(sizes["keep"]), "last": sizes["keep"][-1]}


def show_epoch_times():
    """Seconds per epoch over Fashion-MNIST's 60,000 training images, as
    stored (uint8): the batching is timed, not a transform."""
    batch_size = 256
    X, y = read_fashion_mnist(train=True)
    times = {
        "data_iter": epoch_seconds(data_iter(batch_size, X, y)),
        "DataLoader": epoch_seconds(load_array(X, y, batch_size)),
    }
    for name, time in times.items():
        print(f"{name:<10} {time:.2f} s per epoch (batch {batch_size})")
    return {**times, "num_examples": len(X), "batch_size": batch_size}


def show_discard():
    """Batches and unused examples per epoch with last_batch='discard'."""
    batch_size = 256
    _, y = read_fashion_mnist(train=True)
    dataset = gluon.data.ArrayDataset(y)
    loader = gluon.data.DataLoader(dataset, batch_size, last_batch="discard")
    used = sum(len(batch) for batch in loader)
    print(f"{len(loader)} batches of {batch_size}; {used} examples used")
    print(f"{len(dataset) - used} examples left out of each epoch")
    return {
        "batch_size": batch_size,
        "num_batches": len(loader),
        "unused": len(dataset) - used,
    }


def show_data_iter_seed():
    """data_iter shuffles with Python's random: random.seed repeats it."""
    X = nd.arange(8).astype("int32")
    seeds = {"np.random.seed": np.random.seed, "random.seed": random.seed}
    repeats = compare_seeds(seeds, lambda: data_iter(4, X, X))
    return {
        "np_repeats": repeats["np.random.seed"],
        "random_repeats": repeats["random.seed"],
    }
