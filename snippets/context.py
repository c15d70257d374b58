"""Contexts: where arrays and parameters live; data parallelism over
several contexts; and MXNet's asynchronous engine."""

import time

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, init, nd

from snippets.fashion_mnist import read_fashion_mnist, transform
from snippets.initialization import mlp
from snippets.metrics import evaluate_accuracy, last_line
from snippets.mlp import ArrayLoader
from snippets.phrases import agreement


def try_gpu(i=0):
    """mx.gpu(i) if MXNet sees that GPU, otherwise mx.cpu()."""
    return mx.gpu(i) if mx.context.num_gpus() > i else mx.cpu()


def show_contexts():
    """Arrays on two CPU contexts: ctx=, copyto and as_in_context."""
    print("GPUs MXNet sees:", mx.context.num_gpus(), " try_gpu():", try_gpu())
    x = nd.ones((2, 3))  # the default context, mx.cpu(0)
    y = nd.ones((2, 3), ctx=mx.cpu(1))
    print("x on", x.context, " y on", y.context)
    z = x.copyto(mx.cpu(1))
    print("x.copyto(cpu(1)) on", z.context)
    same = x.as_in_context(mx.cpu(0)) is x
    copied = x.copyto(mx.cpu(0)) is x
    print("x.as_in_context(cpu(0)) is x:", same)
    print("x.copyto(cpu(0)) is x:       ", copied)
    print("(x + y) on", (x + y).context)
    return {"same": same, "copied": copied, "sum_ctx": str((x + y).context)}


def show_wrong_context():
    """A layer on cpu(0) refuses data on cpu(1); moved data is accepted."""
    net = gluon.nn.Dense(3, in_units=4)
    net.initialize(ctx=mx.cpu(0))
    X = nd.ones((2, 4), ctx=mx.cpu(1))
    try:
        net(X)
        error = None
    except RuntimeError as err:
        error = last_line(err)
    print("net(X):", error)
    print(
        "net(X.as_in_context(cpu(0))) on",
        net(X.as_in_context(mx.cpu(0))).context,
    )
    return {"error": error}


def show_split_and_load():
    """A batch of 6 examples split over cpu(0) and cpu(1)."""
    X = nd.arange(12).reshape((6, 2))
    for part in gluon.utils.split_and_load(X, [mx.cpu(0), mx.cpu(1)]):
        print(part.context, part.shape, part[:, 0].asnumpy())


def parallel_backward(net, loss, X, y, ctx):
    """Split X and y over the contexts ctx; backprop each part's loss."""
    X_parts = gluon.utils.split_and_load(X, ctx, even_split=False)
    y_parts = gluon.utils.split_and_load(y, ctx, even_split=False)
    with autograd.record():
        losses = [
            loss(net(X_i), y_i)
            for X_i, y_i in zip(X_parts, y_parts, strict=True)
        ]
    for part_loss in losses:
        part_loss.backward()


def two_nets(ctx):
    """An MLP on cpu(0), and a copy of its values on the contexts ctx."""
    X = nd.ones((1, 20))
    net, copy = mlp(16, 10), mlp(16, 10)
    net.initialize(init.Xavier())
    copy.initialize(ctx=ctx)
    net(X)  # deferred initialization: the shapes are known after this
    copy(X.as_in_context(ctx[0]))
    params = copy.collect_params().values()
    for param, twin in zip(net.collect_params().values(), params, strict=True):
        twin.set_data(param.data())  # every context's copy
    return net, copy


def show_data_parallel():
    """Three SGD steps on one context and on two: the same parameters."""
    ctx = [mx.cpu(0), mx.cpu(1)]
    X = nd.random.normal(shape=(64, 20))
    y = nd.random.randint(0, 10, shape=(64,)).astype("float32")
    net, copy = two_nets(ctx)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    hyper = {"learning_rate": 0.5}
    trainers = [
        gluon.Trainer(n.collect_params(), "sgd", hyper) for n in (net, copy)
    ]
    for step in range(1, 4):
        parallel_backward(net, loss, X, y, [mx.cpu(0)])
        parallel_backward(copy, loss, X, y, ctx)
        for trainer in trainers:
            trainer.step(X.shape[0])
        weight = copy[0].weight
        diff = nd.abs(net[0].weight.data() - weight.data(ctx[0])).max()
        diff = diff.asscalar().item()
        print(f"step {step}: max |one context - two contexts| = {diff:.1e}")
    copies = [w.asnumpy() for w in weight.list_data()]
    print("weight copies on", weight.list_ctx(), "equal:", end=" ")
    print(np.array_equal(*copies))
    return {"diff": diff, **agreement("parallel", diff)}


def on_context(data_iter, ctx):
    """The minibatches of data_iter, moved to the context ctx."""
    for X, y in data_iter:
        yield X.as_in_context(ctx), y.as_in_context(ctx)


def train_parallel(train_iter, test_iter, num_epochs, lr, ctx):
    """An MLP trained with each minibatch split over the contexts ctx."""
    net = mlp(256, 10)
    net.initialize(init.Xavier(), ctx=ctx)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    test_acc = []
    for _ in range(num_epochs):
        for X, y in train_iter:
            parallel_backward(net, loss, X, y, ctx)
            trainer.step(X.shape[0])
        test_acc.append(evaluate_accuracy(on_context(test_iter, ctx[0]), net))
    return test_acc


def train_on_gpus(train_iter, test_iter, num_epochs, lr, num_gpus):
    """The same training on num_gpus GPUs: only the contexts change."""
    ctx = [mx.gpu(i) for i in range(num_gpus)]
    return train_parallel(train_iter, test_iter, num_epochs, lr, ctx)


def fashion_iters(num_train, batch_size, num_test=None):
    """The first num_train training and num_test (all) test images."""
    iters = []
    for train, n in ((True, num_train), (False, num_test)):
        X, y = transform(*read_fashion_mnist(train))
        iters.append(ArrayLoader(X[:n], y[:n], batch_size, shuffle=train))
    return iters


def show_train_parallel():
    """An MLP trained on two CPU contexts, on 8,000 training images."""
    num_train, num_test, batch_size, num_epochs, lr = 8000, 5000, 256, 3, 0.1
    train_iter, test_iter = fashion_iters(num_train, batch_size, num_test)
    ctx = [mx.cpu(0), mx.cpu(1)]
    test_acc = train_parallel(train_iter, test_iter, num_epochs, lr, ctx)
    for epoch, acc in enumerate(test_acc, 1):
        print(f"epoch {epoch}: test accuracy {acc:.3f}")
    return {
        "num_train": num_train,
        "num_test": num_test,
        "num_epochs": num_epochs,
        "test_acc": test_acc[-1],
    }


def time_products(A, num_products, sync_each=False):
    """Seconds until a loop of A @ A products returned, and until done."""
    nd.waitall()
    start = time.perf_counter()
    products = []
    for _ in range(num_products):
        products.append(nd.dot(A, A))
        if sync_each:
            products[-1].wait_to_read()
    returned = time.perf_counter() - start
    nd.waitall()
    return returned, time.perf_counter() - start


def show_async_timing():
    """Ten 1000 x 1000 products, timed without and with waiting."""
    A = nd.random.uniform(shape=(1000, 1000))
    returned, done = time_products(A, 10)
    _, each = time_products(A, 10, sync_each=True)
    print(f"loop returned after        {1000 * returned:8.1f} ms")
    print(f"nd.waitall() returned after {1000 * done:7.1f} ms")
    print(f"waiting in every step:      {1000 * each:7.1f} ms")
    return {
        "returned_ms": 1000 * returned,
        "done_ms": 1000 * done,
        "each_ms": 1000 * each,
        "ratio": done / returned,
    }


def show_deferred_error():
    """An invalid operation raises where its result is read, not issued."""
    X = nd.random.normal(0, -1, shape=(2, 2))  # a negative scale: invalid
    print("nd.random.normal(0, -1) returned")
    Y = nd.dot(X, X)
    print("nd.dot returned")
    try:
        Y.asnumpy()
        error = None
    except mx.base.MXNetError as err:
        error = last_line(err)
    print("Y.asnumpy() raised:", error)
    return {"error": error}


def show_uneven_exercise():
    """Exercise: 5 examples over 2 contexts, with and without even_split."""
    X, ctx = nd.arange(5), [mx.cpu(0), mx.cpu(1)]
    try:
        gluon.utils.split_and_load(X, ctx)
        error = None
    except ValueError as err:
        error = str(err)
        print("ValueError:", error)
    parts = gluon.utils.split_and_load(X, ctx, even_split=False)
    first, second = (part.shape[0] for part in parts)
    print("even_split=False:", first, "and", second, "examples")
    return {"error": error, "first": first, "second": second}


def show_print_exercise():
    """Exercise: printing an array waits for it, and raises its error."""
    Y = nd.random.normal(0, -1, shape=(2, 2))
    try:
        print(Y)
        error = None
    except mx.base.MXNetError as err:
        error = last_line(err)
    print("print(Y) raised:", error)
    return {"error": error}


def show_two_copies_exercise():
    """Exercise: a layer on two contexts computes the same on each."""
    ctx = [mx.cpu(0), mx.cpu(1)]
    net = gluon.nn.Dense(3, in_units=4)
    net.initialize(ctx=ctx)
    X = nd.random.uniform(shape=(2, 4))
    outputs = [net(X.as_in_context(c)) for c in ctx]
    for out in outputs:
        print(out.context, out.asnumpy()[0])
    equal = np.array_equal(*(out.asnumpy() for out in outputs))
    return {"equal": equal, "num_copies": len(net.weight.list_data())}
