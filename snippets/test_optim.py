"""Tests pinning what gluon.Trainer('sgd') computes, against scratch SGD."""

import mxnet as mx
import mxnet.optimizer.optimizer as mx_optimizer
import numpy as np
import pytest
from mxnet import autograd, gluon, nd

from snippets.optim import (
    backward_l2,
    clone,
    copy_grads,
    linear_net,
    max_abs_diff,
    scratch_copy,
    sgd,
    sgd_momentum,
    sgd_weight_decay,
    sgd_weight_decay_2017,
    show_l2_penalty,
    show_momentum,
    show_step_after_mean,
    show_trainer_step,
    show_weight_decay,
    trainer_sgd,
)

LR = 0.1


def net_with_grads(batch_size, wd=0.0):
    """A linear net holding the gradients of its L2 loss on random data."""
    X = nd.random.normal(shape=(batch_size, 3))
    y = nd.random.normal(shape=(batch_size,)) * 5
    net = linear_net(3)
    backward_l2(net, X, y, wd)
    return net


def values(net):
    """The net's parameters as NumPy arrays, in order."""
    return [p.data().asnumpy() for p in net.collect_params().values()]


@pytest.mark.parametrize("batch_size", [1, 4, 16, 3, 10])
def test_scratch_sgd_equals_one_trainer_step(batch_size):
    """sgd(params, lr, batch_size) == Trainer('sgd').step(batch_size)."""
    net = net_with_grads(batch_size)
    params = scratch_copy(net)
    trainer = trainer_sgd(net, LR)
    trainer.step(batch_size)
    sgd(params, LR, batch_size)
    assert trainer.optimizer.rescale_grad == pytest.approx(1 / batch_size)
    assert max_abs_diff(net, params) < 1e-6


@pytest.mark.parametrize("batch_size", [1, 4, 8, 16])
def test_power_of_two_batches_match_bit_for_bit(batch_size):
    """grad / B and grad * (1 / B) are the same float when B is 2^k."""
    for seed in range(10):
        mx.random.seed(seed)
        net = net_with_grads(batch_size)
        params = scratch_copy(net)
        trainer_sgd(net, LR).step(batch_size)
        sgd(params, LR, batch_size)
        assert max_abs_diff(net, params) == 0


def test_trainer_updates_all_parameters_with_multi_sgd_update(monkeypatch):
    """Dense weights go to one multi_sgd_update call, not to sgd_update."""
    calls = []

    def spy(name, operator):
        def record(*args, **kwargs):
            calls.append((name, kwargs.get("num_weights")))
            return operator(*args, **kwargs)

        return record

    for name in ("multi_sgd_update", "sgd_update"):
        operator = getattr(mx_optimizer, name)
        monkeypatch.setattr(mx_optimizer, name, spy(name, operator))
    monkeypatch.delenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", raising=False)
    net = net_with_grads(4)
    trainer = trainer_sgd(net, LR)
    trainer.step(4)
    assert calls == [("multi_sgd_update", 2)]
    assert trainer.optimizer.aggregate_num == 4  # up to 4 per call


def test_trainer_step_divides_the_gradient_by_batch_size():
    """step(batch_size) moves by lr * grad / batch_size, not lr * grad."""
    net = net_with_grads(8)
    grads = [p.grad().asnumpy() for p in net.collect_params().values()]
    before = values(net)
    trainer_sgd(net, LR).step(8)
    for w0, g, w1 in zip(before, grads, values(net), strict=True):
        np.testing.assert_allclose(w1, w0 - LR * g / 8, rtol=1e-6, atol=1e-8)
        assert not np.allclose(w1, w0 - LR * g)


def test_weight_decay_operator_groups_the_terms_differently():
    """Trainer(wd) computes w - (lr * (g / B) + lr * wd * w) in float32."""
    f32 = np.float32
    for seed in range(20):
        mx.random.seed(seed)
        net = net_with_grads(8)
        w, g = net.weight.data().asnumpy(), net.weight.grad().asnumpy()
        trainer_sgd(net, 0.05, 0.1).step(8)
        lr, wd, scale = f32(0.05), f32(0.1), f32(1 / 8)
        expected = w - (lr * (scale * g) + lr * wd * w)
        np.testing.assert_array_equal(net.weight.data().asnumpy(), expected)


@pytest.mark.parametrize("wd", [0.01, 0.5])
def test_weight_decay_rule_equals_trainer(wd):
    """Trainer(wd) computes w - lr * (grad / batch_size + wd * w)."""
    net = net_with_grads(8)
    before = values(net)
    params, note = scratch_copy(net), scratch_copy(net)
    trainer_sgd(net, LR, wd).step(8)
    sgd_weight_decay(params, LR, 8, wd)
    sgd_weight_decay_2017(note, LR, 8, wd)
    assert max_abs_diff(net, params) < 1e-6
    # the 2017 rule decays by wd * w instead of lr * wd * w
    for w0, w_note, w_true in zip(before, note, values(net), strict=True):
        np.testing.assert_allclose(
            w_note.asnumpy() - w_true, -(1 - LR) * wd * w0, atol=1e-6
        )


def net_with_zero_grads():
    """A linear net with bias 1 whose fresh gradients are all zero."""
    net = linear_net(3)
    net.bias.set_data(nd.ones(1))
    with autograd.record():
        loss = 0 * net(nd.ones((2, 3)))
    loss.backward()
    return net


def test_weight_decay_alone_shrinks_by_one_minus_lr_wd():
    """With zero gradient one step multiplies w and b by (1 - lr * wd)."""
    net, wd = net_with_zero_grads(), 0.5
    before = values(net)
    trainer_sgd(net, LR, wd).step(2)
    for w0, w1 in zip(before, values(net), strict=True):
        np.testing.assert_allclose(w1, (1 - LR * wd) * w0, rtol=1e-6)


def test_wd_mult_zero_keeps_the_bias_from_decaying():
    """Setting wd_mult = 0 on the bias leaves it out of weight decay."""
    net = net_with_zero_grads()
    net.collect_params(".*bias").setattr("wd_mult", 0)
    trainer_sgd(net, LR, 0.5).step(2)
    assert net.bias.data().asscalar() == 1


def test_clip_gradient_clips_the_rescaled_gradient():
    """clip_gradient applies to grad / batch_size, before the lr step."""
    net, clip = net_with_grads(4), 0.05
    grads = [p.grad().asnumpy() for p in net.collect_params().values()]
    before = values(net)
    hyper = {"learning_rate": LR, "clip_gradient": clip}
    gluon.Trainer(net.collect_params(), "sgd", hyper).step(4)
    for w0, g, w1 in zip(before, grads, values(net), strict=True):
        expected = w0 - LR * np.clip(g / 4, -clip, clip)
        np.testing.assert_allclose(w1, expected, rtol=1e-6, atol=1e-8)


def test_weight_decay_equals_l2_penalty_in_the_loss():
    """Trainer(wd) == scratch sgd on loss + wd * sum(||p||^2) / 2."""
    X, y, wd = nd.random.normal(shape=(8, 3)), nd.arange(8), 0.3
    net = linear_net(3)
    backward_l2(net, X, y, wd)
    params = scratch_copy(net)
    sgd(params, LR, 8)
    backward_l2(net, X, y)
    trainer_sgd(net, LR, wd).step(8)
    assert max_abs_diff(net, params) < 1e-6


def test_momentum_rule_equals_trainer():
    """Trainer(momentum) == v = m * v + lr * grad / B; w -= v, step by step."""
    X, y = nd.random.normal(shape=(8, 3)), nd.arange(8)
    net = linear_net(3)
    hyper = {"learning_rate": LR, "momentum": 0.5}
    trainer = gluon.Trainer(net.collect_params(), "sgd", hyper)
    params = scratch_copy(net)
    velocities = [nd.zeros_like(p) for p in params]
    for _ in range(4):
        backward_l2(net, X, y)
        copy_grads(net, params)
        trainer.step(8)
        sgd_momentum(params, velocities, LR, 8, 0.5)
        assert max_abs_diff(net, params) < 1e-6
    assert nd.abs(velocities[0]).max().asscalar() > 0


def test_clone_copies_the_values_not_the_arrays():
    """A clone starts equal and moves on its own."""
    net = linear_net(3)
    twin = clone(net)
    assert (
        max_abs_diff(net, [p.data() for p in twin.collect_params().values()])
        == 0
    )
    twin.weight.set_data(nd.zeros((1, 3)))
    assert nd.abs(net.weight.data()).max().asscalar() > 0


def test_demos_return_the_numbers_the_pages_cite():
    """The page demos run and return the values quoted in the prose."""
    step = show_trainer_step()
    assert step["batch_size"] == 8
    assert step["rescale_grad"] == pytest.approx(1 / 8)
    assert step["max_diff"] == 0  # batch size 8 is a power of two
    decay = show_weight_decay()
    assert decay["rule_diff"] < 1e-6
    assert decay["note_diff"] > 1e-3
    assert decay["rule_factor"] == pytest.approx(0.995)
    assert decay["lr_inverse"] == pytest.approx(20)
    assert show_l2_penalty()["max_diff"] < 1e-6


def test_step_after_mean():
    """mean + step(1) moves like sum + step(B); mean + step(B) moves 1/B."""
    moves = show_step_after_mean()
    assert moves["mean_step_1"] == pytest.approx(moves["sum_step_b"], 1e-5)
    assert moves["mean_step_b"] == pytest.approx(
        moves["sum_step_b"] / 8, rel=1e-4
    )


def test_show_momentum():
    """Three steps with momentum agree with the scratch rule."""
    assert show_momentum()["max_diff"] < 1e-6
