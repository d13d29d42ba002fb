"""Generated layers work where users take them: compile, export, ONNX, pickling, state dicts, devices."""

import copy
import importlib
import importlib.util
import pickle

import pytest
import torch
from conftest import MODULE_NAMES, generated


def network(module, **options):
    cls = module.GroupEquivariantCNN if module.DIMENSION == 2 else module.GroupEquivariantCNN3d
    return cls(1, 5, **{"hidden_channels": 3, "num_layers": 2, "kernel_size": 5, **options})


def unet(module):
    """A small U-Net: transposed convolutions, pooling, skips, the global context and the per-pixel head (one
    level: every kind of layer, and half the graph that torch.compile would otherwise compile)."""
    cls = module.GroupEquivariantUNet if module.DIMENSION == 2 else module.GroupEquivariantUNet3d
    return cls(1, 3, hidden_channels=2, depth=1, global_context=True)


MODELS = {"cnn": network, "unet": unet}


def image(module, batch=2, size=8, dtype=torch.float32, device="cpu"):
    return torch.randn(batch, 1, *([size] * module.DIMENSION), dtype=dtype, device=device)


def convolutions(module):
    d = module.DIMENSION
    lifting = getattr(module, f"LiftingConv{d}d")(2, 3, 5, padding=2)
    group_conv = getattr(module, f"GroupConv{d}d")(2, 3, 3, padding=1, padding_mode="replicate", filters="pixel")
    return [
        (lifting, torch.randn(2, 2, *([6] * d))),
        (group_conv, torch.randn(2, 2, module.ORDER, *([6] * d))),
        (
            getattr(module, f"GroupConvTranspose{d}d")(2, 3, 4, stride=2, padding=1),
            torch.randn(2, 2, module.ORDER, *([5] * d)),
        ),
    ]


REPRESENTATIVE = ("c4", "c8", "o")
"""Compiled by default, CNN and U-Net: one group of each kind (grid-exact pixel filters, continuous filters,
volumes). The other catalog groups' CNNs compile under ``-m full_compile``, which .ci/run also runs (on a
cold inductor cache, compiling all of them takes minutes); their U-Nets add no code that depends on the
group beyond what the CNN and the representative U-Nets compile."""


def _compile_cases():
    for name in MODULE_NAMES:
        representative = name in REPRESENTATIVE
        for model in MODELS if representative else ("cnn",):
            marks = () if representative else (pytest.mark.full_compile,)
            yield pytest.param(name, model, marks=marks, id=f"{name}-{model}")


@pytest.mark.parametrize(("name", "model"), _compile_cases())
def test_torch_compile_fullgraph_matches_eager(name, model):
    """torch.compile(fullgraph=True) gives the eager outputs, in eval mode and, for the representative
    groups, in train mode too. Under compilation eval mode expands the filters as training does (the
    cache is bypassed), so train mode adds only batch statistics, which no group changes."""
    group_module = generated(name)
    net = MODELS[model](group_module).eval()
    x = image(group_module)
    compiled = torch.compile(net, fullgraph=True)
    torch.testing.assert_close(compiled(x), net(x))
    if name in REPRESENTATIVE:
        net.train()
        torch.testing.assert_close(torch.compile(net, fullgraph=True)(x), net(x))


@pytest.mark.parametrize("model", MODELS)
def test_torch_export_matches_eager(group_module, model):
    """torch.export.export of the network runs and its program matches eager."""
    net = MODELS[model](group_module).eval()
    x = image(group_module)
    program = torch.export.export(net, (x,))
    torch.testing.assert_close(program.module()(x), net(x))


@pytest.mark.skipif(
    importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnxscript") is None,
    reason="onnx export needs the optional extra: pip install '.[onnx]'",
)
@pytest.mark.parametrize("model", MODELS)
def test_onnx_export_runs_in_onnxruntime(group_module, model):
    """The network exports to ONNX and onnxruntime reproduces its logits."""
    import onnxruntime

    net = MODELS[model](group_module).eval()
    x = image(group_module)
    program = torch.onnx.export(net, (x,), dynamo=True, verbose=False)
    model = program.model_proto.SerializeToString()
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    (logits,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    torch.testing.assert_close(torch.from_numpy(logits), net(x), rtol=1e-4, atol=1e-5)


def test_pickle_and_deepcopy(group_module):
    """Networks survive pickle and deepcopy, with identical outputs."""
    net = network(group_module).eval()
    x = image(group_module)
    expected = net(x)
    for clone in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        torch.testing.assert_close(clone(x), expected)


def test_state_dict_is_the_same_in_train_and_eval(group_module):
    """Keys and values match between modes; a strict load moves weights from one to the other."""
    trained = network(group_module).train()
    x = image(group_module)
    trained(x)
    evaluated = network(group_module).eval()
    evaluated(x)  # fill the eval cache, which must not reach the state dict
    assert trained.state_dict().keys() == evaluated.state_dict().keys()
    evaluated.load_state_dict(trained.state_dict(), strict=True)
    torch.testing.assert_close(evaluated(x), trained.eval()(x))
    assert not any("index" in key or "interpolation" in key for key in evaluated.state_dict())


def test_export_gives_a_plain_convolution(group_module):
    """export() returns an nn.ConvNd (or ConvTransposeNd) with the expanded weight and the same output."""
    for layer, x in convolutions(group_module):
        plain = layer.export()
        assert type(plain).__module__.startswith("torch.nn")
        flat = x.flatten(1, 2) if layer.grouped else x
        torch.testing.assert_close(plain(flat), layer(x).flatten(1, 2))


def test_resampling_layers_export_to_plain_layers(group_module):
    """GroupUpsample, GroupMaxPool and GroupAvgPool export to nn.Upsample and nn.MaxPoolNd / nn.AvgPoolNd."""
    d = group_module.DIMENSION
    y = torch.randn(2, 3, group_module.ORDER, *([6] * d))
    interpolation = "bilinear" if d == 2 else "trilinear"
    for layer in (
        group_module.GroupUpsample(2, interpolation),
        group_module.GroupMaxPool(2),
        group_module.GroupAvgPool(3, stride=1, padding=1),
    ):
        plain = layer.export()
        assert type(plain).__module__.startswith("torch.nn")
        torch.testing.assert_close(plain(y.flatten(1, 2)), layer(y).flatten(1, 2))


@pytest.mark.parametrize("device", ["cpu", *(["cuda"] if torch.cuda.is_available() else [])])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_dtypes_and_devices(group_module, dtype, device):
    """Training steps run in float32 and float64, on CPU and (where present) CUDA."""
    net = network(group_module).to(device=device, dtype=dtype)
    x = image(group_module, dtype=dtype, device=device)
    loss = net(x).logsumexp(dim=1).mean()
    loss.backward()
    assert all(p.grad is not None and p.grad.dtype == dtype for p in net.parameters())


def test_clear_errors_for_wrong_inputs(group_module):
    """Wrong channel counts, missing or wrong group axes and wrong ranks say what was expected."""
    d = group_module.DIMENSION
    lifting = getattr(group_module, f"LiftingConv{d}d")(2, 3, 5)
    group_conv = getattr(group_module, f"GroupConv{d}d")(2, 3, 5)
    space = [6] * d
    with pytest.raises(ValueError, match="expects 2 input channels"):
        lifting(torch.randn(1, 3, *space))
    with pytest.raises(ValueError, match=f"expects a {d + 2}-D input"):
        lifting(torch.randn(1, 2, 1, *space))
    if group_module.ORDER > 1:
        with pytest.raises(ValueError, match=f"group axis of size {group_module.ORDER}"):
            group_conv(torch.randn(1, 2, group_module.ORDER + 1, *space))
    with pytest.raises(ValueError, match="group feature maps need the group axis"):
        group_conv(torch.randn(1, 2, *space))
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        network(group_module, kernel_size=4)
    with pytest.raises(ValueError, match=r"elements 0\.\."):
        group_module.act_on_features(torch.randn(1, 1, group_module.ORDER, *space), group_module.ORDER)


def test_element_indices_may_be_numpy_or_tensor_integers(group_module):
    import numpy as np

    d = group_module.DIMENSION
    x = torch.randn(1, 1, *[5] * d)
    act = getattr(group_module, f"act_on_{'image' if d == 2 else 'volume'}")
    g = group_module.ORDER - 1
    assert torch.equal(act(x, np.int64(g)), act(x, g)) and torch.equal(act(x, torch.tensor(g)), act(x, g))
    for bad in (True, 1.0, torch.tensor([g]), "1"):
        with pytest.raises(ValueError, match=r"elements 0\.\."):
            act(x, bad)


def test_continuous_options_with_pixel_filters_are_refused(group_module):
    lifting = getattr(group_module, f"LiftingConv{group_module.DIMENSION}d")
    with pytest.raises(ValueError, match="shape continuous filters"):
        lifting(1, 2, 5, filters="pixel", max_frequency=1)
    with pytest.raises(ValueError, match="shape continuous filters"):
        lifting(1, 2, 5, filters="pixel", edge_ring=False)


def test_a_unet_names_a_wrong_rank_as_such(group_module):
    d = group_module.DIMENSION
    unet = getattr(group_module, "GroupEquivariantUNet" if d == 2 else "GroupEquivariantUNet3d")(1, 2, 2, depth=1)
    with pytest.raises(ValueError, match=f"expects a {d + 2}-D input"):
        unet(torch.randn(1, 8, *[8] * (d - 1)))


@pytest.mark.parametrize("name", ["c4", "c8"])
def test_channels_last_networks_give_the_same_outputs(name):
    module = importlib.import_module(f"generated.{name}")
    net = module.GroupEquivariantCNN(1, 10, hidden_channels=4, num_layers=2, kernel_size=5).eval()
    x = torch.randn(2, 1, 16, 16)
    with torch.no_grad():
        reference = net(x)
        converted = net.to(memory_format=torch.channels_last)(x.to(memory_format=torch.channels_last))
    assert torch.allclose(converted, reference, atol=1e-5)
