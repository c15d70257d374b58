"""Tests for snippets.blocks and for how Gluon's blocks and parameters work."""

import math

import numpy as np
import pytest
from mxnet import gluon, init, nd
from mxnet.base import NotImplementedForSymbol

from snippets.blocks import (
    MLP,
    HybridMLP,
    NumpyInside,
    ScaledDense,
    gradients,
    shared_net,
    show_asnumpy_exercise,
    show_collect_params,
    show_count_exercise,
    show_custom_block,
    show_hybridize,
    show_init_selected,
    show_name_scope_exercise,
    show_own_parameter,
    show_sharing,
    untied_copy,
)


def test_custom_blocks_compute_the_same_perceptron():
    """MLP and HybridMLP with equal parameters give equal outputs."""
    X = nd.random.uniform(shape=(3, 5))
    plain, hybrid = MLP(4, 2), HybridMLP(4, 2)
    for net in (plain, hybrid):
        net.initialize()
        net(X)
    for src, dst in zip(
        plain.collect_params().values(),
        hybrid.collect_params().values(),
        strict=True,
    ):
        dst.set_data(src.data())
    np.testing.assert_array_equal(plain(X).asnumpy(), hybrid(X).asnumpy())


def test_name_scope_prefixes_the_children_with_the_block_name():
    """Children made in name_scope() carry the parent's prefix."""
    out = show_custom_block()
    net = HybridMLP(4, 2)
    assert all(name.startswith(net.prefix) for name in net.collect_params())
    assert out["prefix"].startswith("hybridmlp")


def test_hybridized_output_equals_the_imperative_one():
    """hybridize() changes how, not what, HybridMLP computes."""
    out = show_hybridize()
    assert out["diff"] < 1e-6
    assert out["same_en"] in (
        "agree exactly: not a single bit differs",
        "differ only by float32 rounding",
    )


def test_hybrid_forward_gets_nd_then_sym():
    """F is mxnet.ndarray before hybridize() and mxnet.symbol after."""
    seen = []

    class Probe(gluon.nn.HybridBlock):
        def hybrid_forward(self, F, x):
            seen.append(F.__name__)
            return x

    probe = Probe()
    probe(nd.ones(1))
    probe.hybridize()
    probe(nd.ones(1))
    probe(nd.ones(1))  # the graph runs; hybrid_forward is not called
    assert seen == ["mxnet.ndarray", "mxnet.symbol"]


def test_collect_params_selects_by_regular_expression():
    """'.*weight' keeps the two weights of the four parameters."""
    assert show_collect_params() == {"num_all": 4, "num_weights": 2}
    names = HybridMLP(4, 2).collect_params(".*bias").keys()
    assert all(name.endswith("bias") for name in names)


def test_shared_layers_hold_one_parameter_object():
    """params= makes the third layer use the second's Parameter object."""
    net = shared_net(8)
    assert net[1].weight is net[2].weight
    assert net[1].bias is net[2].bias
    assert len(net.collect_params().keys()) == 6
    untied = shared_net(8, tie=False)
    assert untied[1].weight is not untied[2].weight
    assert len(shared_net(8, tie=False).collect_params().keys()) == 8


def test_shared_gradient_is_the_sum_of_both_uses():
    """The tied weight's gradient is grad 1 + grad 2 of an untied copy."""
    out = show_sharing()
    assert out["same"] is True
    assert out["num_params"] == 6
    assert out["diff"] < 1e-6
    X = nd.random.uniform(shape=(2, 20))
    net = shared_net(8)
    net.initialize()
    net(X)
    tied = gradients(net, X)
    untied = gradients(untied_copy(net, 8, X), X)
    for alone in (untied[1], untied[2]):
        assert not np.allclose(tied[1].asnumpy(), alone.asnumpy())
    np.testing.assert_allclose(
        tied[1].asnumpy(), (untied[1] + untied[2]).asnumpy(), atol=1e-6
    )


def test_a_second_backward_writes_rather_than_adds():
    """grad_req='write': two backward passes leave the same gradient."""
    X = nd.random.uniform(shape=(2, 20))
    net = shared_net(8)
    net.initialize()
    net(X)
    first = gradients(net, X)[1].copy()
    second = gradients(net, X)[1]
    assert net[1].weight.grad_req == "write"
    np.testing.assert_array_equal(first.asnumpy(), second.asnumpy())


def test_own_parameter_is_registered_named_and_learned():
    """params.get adds scale to the layer's parameters, starting at 1."""
    out = show_own_parameter()
    assert out["diff"] == 0
    layer = ScaledDense(3, in_units=4)
    names = list(layer.collect_params().keys())
    assert f"{layer.prefix}scale" in names
    assert len(names) == 3
    layer.initialize()
    np.testing.assert_array_equal(layer.scale.data().asnumpy(), 1)
    layer.scale.set_data(nd.array([1, 2, 3]))
    X = nd.ones((1, 4))
    np.testing.assert_allclose(
        layer(X).asnumpy(), (layer.dense(X) * nd.array([1, 2, 3])).asnumpy()
    )


def test_selected_init_xavier_weights_but_dense_bias_stays_zero():
    """Constant(0.1) on '.*bias' is overruled; set_data gives 0.1."""
    out = show_init_selected()
    assert out["ignored"] == 0
    assert out["bias"] == pytest.approx(0.1)
    assert out["largest"] <= math.sqrt(6 / (20 + 256))
    assert out["largest"] > 0.9 * math.sqrt(6 / (20 + 256))


def test_init_normal_on_selected_weights_only():
    """A pattern leaves the other parameters uninitialized."""
    net = HybridMLP(4, 2)
    net.collect_params(".*dense1_weight").initialize(init.One())
    with pytest.raises(RuntimeError, match="has not been initialized"):
        net.hidden.bias.data()


def test_name_scope_exercise():
    """Without name_scope a layer's name has no parent prefix."""
    out = show_name_scope_exercise()
    assert out["scoped"].startswith("hybridmlp")
    assert out["unscoped"].startswith("dense")


def test_asnumpy_fails_only_once_hybridized():
    """asnumpy() works on an NDArray, not on a Symbol."""
    assert show_asnumpy_exercise() == {"error": "NotImplementedForSymbol"}
    net = NumpyInside()
    assert net(nd.ones((1, 2))).shape == (1, 2)
    net.hybridize()
    with pytest.raises(NotImplementedForSymbol):
        net(nd.ones((1, 2)))


def test_f_max_hybridizes_where_asnumpy_does_not():
    """The fix of Exercise 2: F.max keeps the block hybridizable."""

    class Fixed(gluon.nn.HybridBlock):
        def hybrid_forward(self, F, x):
            return F.broadcast_div(x, F.max(x))

    net, X = Fixed(), nd.array([[1, 2, 4]])
    net.hybridize()
    np.testing.assert_allclose(net(X).asnumpy(), [[0.25, 0.5, 1]])


def test_count_exercise():
    """Tying saves one 8 x 8 weight and its 8 biases."""
    out = show_count_exercise()
    assert out["untied"] - out["tied"] == 8 * 8 + 8


def test_a_selection_is_a_parameterdict_a_trainer_and_saving_accept(
    tmp_path,
):
    """collect_params('.*weight') can be initialized, trained and saved."""
    net = HybridMLP(4, 2)
    weights = net.collect_params(".*weight")
    assert isinstance(weights, gluon.ParameterDict)
    net.collect_params().initialize()
    net(nd.ones((1, 3)))
    gluon.Trainer(weights, "sgd", {"learning_rate": 0.1})
    weights.save(str(tmp_path / "w.params"))
    assert len(nd.load(str(tmp_path / "w.params"))) == 2


def test_an_update_of_one_shared_layer_is_an_update_of_the_other():
    """set_data through net[1] is what net[2] reads."""
    net = shared_net(8)
    net.initialize()
    net(nd.ones((1, 20)))
    net[1].weight.set_data(nd.ones((8, 8)))
    np.testing.assert_array_equal(net[2].weight.data().asnumpy(), 1)


def test_own_parameter_is_saved_with_the_layer(tmp_path):
    """save_parameters writes scale beside the Dense parameters."""
    layer = ScaledDense(3, in_units=4)
    layer.initialize()
    layer.save_parameters(str(tmp_path / "s.params"))
    assert "scale" in nd.load(str(tmp_path / "s.params"))
