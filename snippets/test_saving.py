"""Tests for snippets.saving and for how Gluon saves and exports models."""

import json
import os

import numpy as np
import pytest
from mxnet import gluon, nd

from snippets.blocks import HybridMLP
from snippets.saving import (
    load_into,
    show_export,
    show_export_exercise,
    show_nd_save,
    show_save_parameters,
    show_size_exercise,
    show_wrong_architecture,
    trained_net,
)


def test_nd_save_round_trips_arrays_lists_and_dicts(tmp_path):
    """nd.load gives back a list for arrays and a dict for a dict."""
    assert show_nd_save() == {"kind": "dict", "keys": ["x", "y"]}
    path = str(tmp_path / "x")
    x = nd.random.normal(shape=(3, 2))
    nd.save(path, x)
    (back,) = nd.load(path)
    np.testing.assert_array_equal(back.asnumpy(), x.asnumpy())


def test_snippets_write_nothing_into_the_working_folder(tmp_path, monkeypatch):
    """The demos write to temporary folders they remove."""
    monkeypatch.chdir(tmp_path)
    show_nd_save()
    show_save_parameters()
    show_export()
    assert list(tmp_path.iterdir()) == []


def test_save_parameters_round_trip_is_exact():
    """The clone's output equals the original's bit for bit."""
    out = show_save_parameters()
    assert out["diff"] == 0
    assert out["clone_en"] == "agree exactly: not a single bit differs"
    names = ["hidden.bias", "hidden.weight", "output.bias", "output.weight"]
    assert out["names"] == names  # attribute paths, not prefixed names


def test_loading_into_another_architecture_raises(tmp_path):
    """Another shape or another structure: load_parameters refuses."""
    out = show_wrong_architecture()
    assert "shape incompatible" in out["shape"]
    assert "is missing in file '<tmp>/mlp.params'" in out["names"]
    assert "which contains parameters: 'hidden.weight'" in out["names"]
    path = str(tmp_path / "mlp.params")
    trained_net(nd.ones((1, 20))).save_parameters(path)
    with pytest.raises(AssertionError):
        HybridMLP(32, 3).load_parameters(path)
    assert load_into(HybridMLP(16, 3), path) is None


def test_export_writes_a_graph_and_its_parameters():
    """Two files: the JSON graph and the arrays, named arg:<param name>."""
    out = show_export()
    assert out["files"] == ["mlp-0000.params", "mlp-symbol.json"]
    assert out["ops"] == ["FullyConnected", "relu", "FullyConnected"]
    assert len(out["keys"]) == 4
    assert all(key.startswith("arg:") for key in out["keys"])


def test_symbolblock_imports_gives_the_same_outputs():
    """The deployed SymbolBlock computes exactly what the net computed."""
    out = show_export()
    assert out["diff"] == 0
    assert out["deployed_en"] == "agree exactly: not a single bit differs"


@pytest.mark.filterwarnings("ignore:Cannot decide type")
def test_imported_block_needs_no_python_class(tmp_path):
    """SymbolBlock.imports rebuilds the model without HybridMLP's code."""
    X = nd.random.uniform(shape=(2, 20))
    net = trained_net(X)
    net.hybridize()
    net(X)
    prefix = str(tmp_path / "m")
    net.export(prefix)
    deployed = gluon.SymbolBlock.imports(
        prefix + "-symbol.json", ["data"], prefix + "-0000.params"
    )
    assert not isinstance(deployed, HybridMLP)
    net.export(prefix, epoch=3)  # the epoch names the parameter file
    assert (tmp_path / "m-0003.params").exists()
    np.testing.assert_array_equal(deployed(X).asnumpy(), net(X).asnumpy())


def test_export_needs_one_hybridized_forward():
    """Before a forward pass, export() raises RuntimeError."""
    assert show_export_exercise() == {"error": "RuntimeError"}


def test_size_exercise(tmp_path):
    """Four bytes a value, plus a small header per array."""
    out = show_size_exercise()
    assert out["values"] == 20 * 16 + 16 + 16 * 3 + 3
    assert 0 < out["overhead"] < out["size"] / 4
    path = str(tmp_path / "p")
    nd.save(path, {"a": nd.ones(1000)})
    assert 4000 < os.path.getsize(path) < 4200


def test_the_graph_holds_inputs_parameters_and_operators(tmp_path):
    """The JSON nodes: 'data', the four parameters, then the operators."""
    X = nd.ones((1, 20))
    net = trained_net(X)
    net.hybridize()
    net(X)
    prefix = str(tmp_path / "m")
    net.export(prefix)
    with open(prefix + "-symbol.json") as f:
        nodes = json.load(f)["nodes"]
    inputs = [node["name"] for node in nodes if node["op"] == "null"]
    assert inputs[0] == "data"
    assert sorted(inputs[1:]) == sorted(net.collect_params())
