"""Minibatches: a shuffled iterator from scratch and Gluon's DataLoader."""

import random
import time

from mxnet import gluon, nd

from snippets.fashion_mnist import read_fashion_mnist, transform


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
    start = time.perf_counter()
    for _ in batches:
        pass
    nd.waitall()
    return time.perf_counter() - start


def show_minibatches():
    """Ten examples in batches of 4: from scratch and with DataLoader."""
    X, y = nd.arange(20).reshape((10, 2)), nd.arange(10)
    for i, (X_batch, y_batch) in enumerate(data_iter(4, X, y)):
        print(f"data_iter batch {i}: y =", y_batch.asnumpy(), X_batch.shape)
    for i, (X_batch, y_batch) in enumerate(load_array(X, y, 4)):
        print(f"DataLoader batch {i}: y =", y_batch.asnumpy(), X_batch.shape)


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
    """Seconds per epoch over Fashion-MNIST's 60,000 training images."""
    X, y = transform(*read_fashion_mnist(train=True))
    times = {
        "data_iter": epoch_seconds(data_iter(256, X, y)),
        "DataLoader": epoch_seconds(load_array(X, y, 256)),
    }
    for name, seconds in times.items():
        print(f"{name:<10} {seconds:.2f} s per epoch (batch 256)")
    return times
