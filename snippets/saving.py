"""Saving, loading and deploying: NDArrays, parameters, exported models."""

import json
import os
import tempfile
import warnings

from mxnet import gluon, nd

from snippets.blocks import HybridMLP, max_diff
from snippets.phrases import agreement


def list_files(folder):
    """Print each file of folder with its size in bytes; return the names."""
    names = sorted(os.listdir(folder))
    for name in names:
        print(f"  {name:<26} {os.path.getsize(os.path.join(folder, name))} B")
    return names


def show_nd_save():
    """Save an array, a list and a dict of arrays, and load them back."""
    x, y = nd.arange(4), nd.ones((2, 3))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "x")
        nd.save(path, x)
        print("one array:", nd.load(path))
        nd.save(path, [x, y])
        print("a list:   ", [a.shape for a in nd.load(path)])
        nd.save(path, {"x": x, "y": y})
        loaded = nd.load(path)
        print("a dict:   ", {k: v.shape for k, v in loaded.items()})
    return {"kind": type(loaded).__name__, "keys": sorted(loaded)}


def trained_net(X):
    """A HybridMLP initialized and run once on X (stands for a trained one)."""
    net = HybridMLP(16, 3)
    net.initialize()
    net(X)
    return net


def show_save_parameters():
    """save_parameters, then load_parameters into a new net of one design."""
    X = nd.random.uniform(shape=(4, 20))
    net = trained_net(X)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "mlp.params")
        net.save_parameters(path)
        list_files(folder)
        names = sorted(nd.load(path))
        clone = HybridMLP(16, 3)
        clone.load_parameters(path)
    diff = max_diff(net(X), clone(X))
    print("names in the file:", names)
    print("max |net(X) - clone(X)|:", diff)
    return {"names": names, "diff": diff, **agreement("clone", diff)}


def load_into(net, path):
    """load_parameters into net; the error it raises, if any, as text."""
    try:
        net.load_parameters(path)
    except (AssertionError, RuntimeError) as err:
        message = str(err).replace(os.path.dirname(path), "<tmp>")
        return f"{type(err).__name__}: {message}"
    return None


def show_wrong_architecture():
    """Parameters of a 16-unit hidden layer loaded into other designs."""
    X = nd.random.uniform(shape=(4, 20))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "mlp.params")
        trained_net(X).save_parameters(path)
        shape = load_into(HybridMLP(32, 3), path)
        extra = gluon.nn.HybridSequential()
        extra.add(HybridMLP(16, 3))
        names = load_into(extra, path)
    print("32 hidden units:", shape)
    print("wrapped in a Sequential:", names)
    return {"shape": shape, "names": names}


def show_export():
    """export() a hybridized net; SymbolBlock.imports gives it back."""
    X = nd.random.uniform(shape=(4, 20))
    net = trained_net(X)
    net.hybridize()
    net(X)  # export() needs the graph of one forward pass
    with tempfile.TemporaryDirectory() as folder:
        prefix = os.path.join(folder, "mlp")
        net.export(prefix, epoch=0)
        files = list_files(folder)
        with open(prefix + "-symbol.json") as f:
            graph = json.load(f)
        keys = sorted(nd.load(prefix + "-0000.params"))
        with warnings.catch_warnings():
            # imports() cannot infer the input's type before a call: harmless
            warnings.simplefilter("ignore", UserWarning)
            deployed = gluon.SymbolBlock.imports(
                prefix + "-symbol.json", ["data"], prefix + "-0000.params"
            )
    ops = [node["op"] for node in graph["nodes"] if node["op"] != "null"]
    diff = max_diff(net(X), deployed(X))
    print("operators in the graph:", ops)
    print("arrays in the params file:", keys)
    print("max |net(X) - deployed(X)|:", diff)
    return {
        "files": files,
        "ops": ops,
        "ops_text": ", ".join(ops),
        "keys": keys,
        "diff": diff,
        **agreement("deployed", diff),
    }


def show_export_exercise():
    """Exercise: export() before the hybridized net has run once."""
    net = HybridMLP(16, 3)
    net.initialize()
    net.hybridize()
    with tempfile.TemporaryDirectory() as folder:
        try:
            net.export(os.path.join(folder, "mlp"))
        except RuntimeError as err:
            print("RuntimeError:", err)
            return {"error": type(err).__name__}
    return {"error": None}


def show_size_exercise():
    """Exercise: the parameter file's size against 4 bytes a value."""
    net = trained_net(nd.ones((1, 20)))
    values = sum(p.data().size for p in net.collect_params().values())
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "mlp.params")
        net.save_parameters(path)
        size = os.path.getsize(path)
    print("values:", values, " 4 bytes each:", 4 * values, " file:", size)
    return {
        "values": values,
        "bytes": 4 * values,
        "size": size,
        "overhead": size - 4 * values,
    }
