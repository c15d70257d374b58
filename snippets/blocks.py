"""Blocks and parameters: custom layers, sharing, selection, init."""

from mxnet import autograd, gluon, init, nd
from mxnet.base import NotImplementedForSymbol

from snippets.phrases import agreement


class MLP(gluon.nn.Block):
    """A two-layer perceptron written as a Block of its own."""

    def __init__(self, num_hiddens, num_outputs, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.hidden = gluon.nn.Dense(num_hiddens, activation="relu")
            self.output = gluon.nn.Dense(num_outputs)

    def forward(self, x):
        return self.output(self.hidden(x))


class HybridMLP(gluon.nn.HybridBlock):
    """The same perceptron as a HybridBlock: F is nd, or sym once hybrid."""

    def __init__(self, num_hiddens, num_outputs, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.hidden = gluon.nn.Dense(num_hiddens)
            self.output = gluon.nn.Dense(num_outputs)

    def hybrid_forward(self, F, x):
        return self.output(F.relu(self.hidden(x)))


class ScaledDense(gluon.nn.HybridBlock):
    """A Dense layer with a learned output scale of its own."""

    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.dense = gluon.nn.Dense(units, in_units=in_units)
            self.scale = self.params.get(
                "scale", shape=(units,), init=init.One()
            )

    def hybrid_forward(self, F, x, scale):
        return F.broadcast_mul(self.dense(x), scale.reshape((1, -1)))


def shared_net(num_hiddens, tie=True):
    """Dense layers where the third uses the second's parameters if tie."""
    net = gluon.nn.Sequential()
    second = gluon.nn.Dense(num_hiddens, activation="relu")
    shared = second.params if tie else None
    net.add(gluon.nn.Dense(num_hiddens, activation="relu"), second)
    net.add(gluon.nn.Dense(num_hiddens, activation="relu", params=shared))
    net.add(gluon.nn.Dense(1))
    return net


def max_diff(a, b):
    """Largest absolute difference between two NDArrays, as a float."""
    return nd.abs(a - b).max().asscalar().item()


def show_custom_block():
    """Build MLP and HybridMLP, list their parameter names and shapes."""
    X = nd.random.uniform(shape=(2, 20))
    for net in (MLP(256, 10), HybridMLP(256, 10)):
        net.initialize()
        print(type(net).__name__, "output", net(X).shape)
        for name, param in net.collect_params().items():
            print(f"  {name:<24} {param.shape}")
    return {"prefix": net.prefix}


def show_hybridize():
    """HybridMLP's output before and after hybridize()."""
    X = nd.random.uniform(shape=(4, 20))
    net = HybridMLP(256, 10)
    net.initialize()
    imperative = net(X)
    net.hybridize()
    hybrid = net(X)
    diff = max_diff(imperative, hybrid)
    print("max |imperative - hybridized|:", diff)
    return {"diff": diff, **agreement("same", diff)}


def show_collect_params():
    """Select parameters by a regular expression on their names."""
    net = HybridMLP(256, 10)
    everything = list(net.collect_params().keys())
    weights = list(net.collect_params(".*weight").keys())
    print("all:    ", everything)
    print("weights:", weights)
    return {"num_all": len(everything), "num_weights": len(weights)}


def gradients(net, X):
    """Each layer's weight gradient after one backward of net(X).sum()."""
    with autograd.record():
        y = net(X).sum()
    y.backward()
    return [layer.weight.grad() for layer in net]


def untied_copy(net, num_hiddens, X):
    """The same values as shared_net, in four layers of their own."""
    copy = shared_net(num_hiddens, tie=False)
    copy.initialize()
    copy(X)  # deferred initialization: shapes are known after this
    for src, dst in zip(net, copy, strict=True):
        dst.weight.set_data(src.weight.data())
        dst.bias.set_data(src.bias.data())
    return copy


def show_sharing():
    """The tied layers hold one Parameter; its gradient sums both uses."""
    X = nd.random.uniform(shape=(2, 20))
    net = shared_net(8)
    net.initialize()
    net(X)
    tied = gradients(net, X)
    untied = gradients(untied_copy(net, 8, X), X)
    diff = max_diff(tied[1], untied[1] + untied[2])
    same = net[1].weight is net[2].weight
    print("net[1].weight is net[2].weight:", same)
    print("parameters:", len(net.collect_params().keys()))
    print("max |tied grad - (grad 1 + grad 2 untied)|:", diff)
    print("max |tied grad - grad 1 untied|:", max_diff(tied[1], untied[1]))
    return {
        "same": same,
        "num_params": len(net.collect_params().keys()),
        "diff": diff,
        **agreement("sum", diff),
    }


def show_own_parameter():
    """A layer with its own Parameter, hybridized, and its names."""
    layer = ScaledDense(3, in_units=4)
    layer.initialize()
    layer.hybridize()
    X = nd.random.uniform(shape=(2, 4))
    diff = max_diff(layer(X), layer.dense(X))
    for name, param in layer.collect_params().items():
        print(f"{name:<26} {param.shape}")
    print("scale starts at", layer.scale.data().asnumpy())
    print("max |layer(X) - dense(X)|:", diff)
    return {"diff": diff, **agreement("scaled", diff)}


def init_selected(net):
    """Xavier for the weights; then every bias set to 0.1 by hand."""
    net.collect_params(".*weight").initialize(init.Xavier())
    net.collect_params(".*bias").initialize(init.Constant(0.1))
    first_bias = net.hidden.bias.data()[0].asscalar()
    for param in net.collect_params(".*bias").values():
        param.set_data(nd.full(param.shape, 0.1))
    return first_bias


def show_init_selected():
    """Initialize the weights and the biases of one network differently."""
    net = HybridMLP(256, 10)
    ignored = init_selected(net)
    net(nd.ones((1, 20)))
    largest = nd.abs(net.hidden.weight.data()).max().asscalar()
    print("bias after initialize(Constant(0.1)):", ignored)
    print("bias after set_data:", net.hidden.bias.data()[:3].asnumpy())
    print("hidden weight, max |w|:", largest)
    return {
        "ignored": ignored.item(),
        "bias": net.hidden.bias.data()[0].asscalar().item(),
        "largest": largest.item(),
    }


class Unscoped(gluon.nn.Block):
    """A Block whose layer is created without name_scope()."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = gluon.nn.Dense(4)


class NumpyInside(gluon.nn.HybridBlock):
    """A hybrid_forward that calls asnumpy(), which a Symbol cannot."""

    def hybrid_forward(self, F, x):
        return x / float(x.asnumpy().max())


def show_name_scope_exercise():
    """Exercise: the names of a layer made inside and outside name_scope."""
    scoped, unscoped = HybridMLP(4, 2), Unscoped()
    scoped_names = list(scoped.hidden.collect_params())
    unscoped_names = list(unscoped.hidden.collect_params())
    print("with name_scope:   ", scoped_names)
    print("without name_scope:", unscoped_names)
    return {"scoped": scoped_names[0], "unscoped": unscoped_names[0]}


def show_asnumpy_exercise():
    """Exercise: asnumpy() in hybrid_forward, before and after hybridize."""
    net, X = NumpyInside(), nd.ones((1, 3))
    print("imperative:", net(X).asnumpy())
    net.hybridize()
    try:
        net(X)
    except NotImplementedForSymbol as err:
        print("hybridized:", type(err).__name__, err)
        return {"error": type(err).__name__}
    return {"error": None}


def show_count_exercise():
    """Exercise: parameters and values of shared_net, tied and untied."""
    counts = {}
    for tie in (True, False):
        net = shared_net(8, tie=tie)
        net.initialize()
        net(nd.ones((1, 20)))
        params = net.collect_params().values()
        counts[tie] = (len(params), sum(p.data().size for p in params))
        print(
            f"tie={tie!s:<5} parameters {counts[tie][0]}"
            f" values {counts[tie][1]}"
        )
    return {"tied": counts[True][1], "untied": counts[False][1]}
