"""Tests pinning what gluon.Trainer('sgd') computes, against scratch SGD."""

import numpy as np
import pytest
from mxnet import autograd, gluon, nd

from snippets.optim import (
    backward_l2,
    linear_net,
    max_abs_diff,
    scratch_copy,
    sgd,
    sgd_weight_decay,
    sgd_weight_decay_2017,
    show_l2_penalty,
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


@pytest.mark.parametrize("batch_size", [1, 4, 16])
def test_scratch_sgd_equals_one_trainer_step(batch_size):
    """sgd(params, lr, batch_size) == Trainer('sgd').step(batch_size)."""
    net = net_with_grads(batch_size)
    params = scratch_copy(net)
    trainer = trainer_sgd(net, LR)
    trainer.step(batch_size)
    sgd(params, LR, batch_size)
    assert trainer.optimizer.rescale_grad == pytest.approx(1 / batch_size)
    assert max_abs_diff(net, params) < 1e-6


def test_trainer_step_divides_the_gradient_by_batch_size():
    """step(batch_size) moves by lr * grad / batch_size, not lr * grad."""
    net = net_with_grads(8)
    grads = [p.grad().asnumpy() for p in net.collect_params().values()]
    before = values(net)
    trainer_sgd(net, LR).step(8)
    for w0, g, w1 in zip(before, grads, values(net), strict=True):
        np.testing.assert_allclose(w1, w0 - LR * g / 8, rtol=1e-6, atol=1e-8)
        assert not np.allclose(w1, w0 - LR * g)


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


def test_demos_return_the_numbers_the_pages_cite():
    """The page demos run and return the values quoted in the prose."""
    step = show_trainer_step()
    assert step["rescale_grad"] == pytest.approx(1 / 8)
    assert step["max_diff"] < 1e-6
    decay = show_weight_decay()
    assert decay["rule_diff"] < 1e-6
    assert decay["note_diff"] > 1e-3
    assert decay["rule_factor"] == pytest.approx(0.995)
    assert show_l2_penalty()["max_diff"] < 1e-6
