"""Tests for snippets.context: contexts, data parallelism over two CPU
contexts, and what MXNet's asynchronous engine does."""

import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, nd

from snippets import context
from snippets.context import (
    fashion_iters,
    on_context,
    parallel_backward,
    show_async_timing,
    show_contexts,
    show_data_parallel,
    show_deferred_error,
    show_print_exercise,
    show_split_and_load,
    show_two_copies_exercise,
    show_uneven_exercise,
    show_wrong_context,
    time_products,
    train_on_gpus,
    train_parallel,
    try_gpu,
)

SCALE_ERROR = "scale parameter in gaussian has to be positive"


@pytest.fixture(scope="module")
def small_iters():
    """1,000 training images in batches of 100, and the test set."""
    return fashion_iters(1000, 100)


def test_this_site_has_no_gpu_and_try_gpu_falls_back_to_the_cpu():
    """The page's claim: MXNet sees no GPU here; try_gpu() is cpu(0)."""
    assert mx.context.num_gpus() == 0
    assert try_gpu() == mx.cpu(0)
    with pytest.raises(mx.base.MXNetError, match="not implemented for GPU"):
        nd.zeros((1,), ctx=mx.gpu(0)).wait_to_read()


def test_try_gpu_picks_the_gpu_when_mxnet_sees_one(monkeypatch):
    """With two GPUs, try_gpu(1) is gpu(1) and try_gpu(2) the CPU."""
    monkeypatch.setattr(mx.context, "num_gpus", lambda: 2)
    assert try_gpu(1) == mx.gpu(1)
    assert try_gpu(2) == mx.cpu()


def test_as_in_context_returns_the_array_itself_copyto_a_copy():
    """Same context: as_in_context gives x, copyto a new array."""
    assert show_contexts() == {
        "same": True,
        "copied": False,
        "sum_ctx": "cpu(0)",
    }
    x = nd.ones(3, ctx=mx.cpu(1))
    moved = x.as_in_context(mx.cpu(0))
    assert moved is not x
    assert moved.context == mx.cpu(0)
    moved[:] = 5  # a copy: x keeps its values
    assert x.asnumpy().tolist() == [1, 1, 1]


def test_cpu_contexts_mix_without_error_on_the_first_operands_context():
    """MXNet does not check CPU contexts: x + y lands on x's context."""
    x, y = nd.ones(2, ctx=mx.cpu(0)), nd.ones(2, ctx=mx.cpu(1))
    assert (x + y).context == mx.cpu(0)
    assert (y + x).context == mx.cpu(1)


def test_parameters_must_be_on_the_datas_context():
    """A layer initialized on cpu(0) refuses a batch on cpu(1)."""
    out = show_wrong_context()
    assert "was not initialized on context cpu(1)" in out["error"]
    assert "only initialized on [cpu(0)]" in out["error"]


def test_split_and_load_splits_the_batch_axis_in_order(capsys):
    """Six rows: rows 0-2 on cpu(0), rows 3-5 on cpu(1)."""
    show_split_and_load()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("cpu(0) (3, 2)")
    assert lines[1].startswith("cpu(1) (3, 2)")
    parts = gluon.utils.split_and_load(nd.arange(6), [mx.cpu(0), mx.cpu(1)])
    assert [part.asnumpy().tolist() for part in parts] == [
        [0, 1, 2],
        [3, 4, 5],
    ]


def test_uneven_split_needs_even_split_false():
    """5 examples over 2 contexts: ValueError by default; 3 + 2 allowed."""
    out = show_uneven_exercise()
    assert "cannot be evenly split into 2 slices" in out["error"]
    assert (out["first"], out["second"]) == (3, 2)


def test_two_contexts_train_the_same_parameters_as_one():
    """Gradients of the parts are summed: one context and two agree."""
    out = show_data_parallel()
    assert out["diff"] < 1e-6
    assert out["parallel_en"] in (
        "agree exactly: not a single bit differs",
        "differ only by float32 rounding",
    )


def test_each_context_holds_its_own_copy_and_step_updates_all():
    """initialize(ctx=[a, b]) makes two copies; both computed the same."""
    out = show_two_copies_exercise()
    assert out == {"equal": True, "num_copies": 2}
    ctx = [mx.cpu(0), mx.cpu(1)]
    net = gluon.nn.Dense(2, in_units=3)
    net.initialize(ctx=ctx)
    X, y = nd.ones((4, 3)), nd.zeros(4)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 1})
    parallel_backward(net, loss, X, y, ctx)
    grads = [grad.asnumpy() for grad in net.weight.list_grad()]
    np.testing.assert_array_equal(*grads)  # equal halves, equal grads
    trainer.step(4)
    first, second = (w.asnumpy() for w in net.weight.list_data())
    np.testing.assert_array_equal(first, second)


def test_on_context_moves_every_minibatch():
    """on_context yields X and y on the context asked for."""
    batches = [(nd.ones(2), nd.zeros(2))] * 3
    for X, y in on_context(batches, mx.cpu(1)):
        assert X.context == y.context == mx.cpu(1)


def test_training_on_two_contexts_learns(small_iters):
    """Two epochs on 1,000 images beat chance (0.1) clearly."""
    train_iter, test_iter = small_iters
    ctx = [mx.cpu(0), mx.cpu(1)]
    test_acc = train_parallel(train_iter, test_iter, 2, 0.1, ctx)
    assert len(test_acc) == 2
    assert test_acc[-1] > 0.4


def test_the_gpu_version_changes_only_the_contexts(monkeypatch, small_iters):
    """train_on_gpus fails here (no GPU), and trains with CPUs in place."""
    train_iter, test_iter = small_iters
    with pytest.raises(mx.base.MXNetError):
        train_on_gpus(train_iter, test_iter, 1, 0.1, num_gpus=1)
    monkeypatch.setattr(context.mx, "gpu", mx.cpu)
    test_acc = train_on_gpus(train_iter, test_iter, 1, 0.1, num_gpus=2)
    assert test_acc[-1] > 0.2


def test_an_invalid_operation_raises_only_where_it_is_read():
    """The engine runs operators later: the error surfaces at asnumpy()."""
    out = show_deferred_error()
    assert SCALE_ERROR in out["error"]
    assert out["error"].startswith("MXNetError")
    X = nd.random.normal(0, -1, shape=(2, 2))  # no error here
    with pytest.raises(mx.base.MXNetError, match=SCALE_ERROR):
        X.wait_to_read()
    x = nd.random.normal(0, -1, shape=(1,))
    with pytest.raises(mx.base.MXNetError, match=SCALE_ERROR):
        x.asscalar()


def test_nd_waitall_also_raises_the_pending_error():
    """waitall() is a synchronization point like asnumpy()."""
    nd.random.normal(0, -1, shape=(2, 2))
    with pytest.raises(mx.base.MXNetError, match=SCALE_ERROR):
        nd.waitall()


def test_print_waits_for_the_values():
    """print(Y) needs the values, so it waits and raises Y's error."""
    out = show_print_exercise()
    assert SCALE_ERROR in out["error"]


def test_time_products_waits_for_the_products(monkeypatch):
    """Both timings wait before starting; the second also after the loop."""
    calls = []
    monkeypatch.setattr(context.nd, "waitall", lambda: calls.append("wait"))
    time_products(nd.ones((2, 2)), 3)
    assert calls == ["wait", "wait"]
    out = show_async_timing()
    assert out["ratio"] == pytest.approx(out["done_ms"] / out["returned_ms"])
