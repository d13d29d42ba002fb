"""The eval-mode filter cache is never stale, whichever way PyTorch users change parameters."""

import copy

import pytest
import torch

from generated import c4, c8

EDITS = {
    "weight.data.normal_()": lambda layer: layer.weight.data.normal_(),
    "bias.data.zero_()": lambda layer: layer.bias.data.zero_(),
    "EMA teacher through .data": lambda layer: layer.weight.data.mul_(0.99).add_(0.01 * torch.randn_like(layer.weight)),
    "copy_ under no_grad": lambda layer: _copy_without_grad(layer),
    "load_state_dict": lambda layer: layer.load_state_dict(
        {name: torch.randn_like(value) for name, value in layer.state_dict().items()}
    ),
    ".data = new tensor": lambda layer: setattr(layer.weight, "data", torch.randn_like(layer.weight)),
    "optimizer step": lambda layer: _optimizer_step(layer),
}


def _copy_without_grad(layer):
    with torch.no_grad():
        layer.weight.copy_(torch.randn_like(layer.weight))


def _optimizer_step(layer):
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.5)
    layer.train()
    layer(torch.randn(1, 3, layer.group_in if layer.grouped else 1, 9, 9).squeeze(2)).square().sum().backward()
    optimizer.step()
    layer.eval()


@pytest.mark.parametrize("module", [c4, c8], ids=["c4", "c8"])
@pytest.mark.parametrize("edit", EDITS)
def test_inference_sees_every_parameter_change(module, edit):
    torch.manual_seed(0)
    layer = module.GroupConv2d(3, 2, 5, padding=2).eval()
    x = torch.randn(2, 3, module.ORDER, 9, 9)
    with torch.no_grad():
        layer(x)  # fills the cache
    with torch.enable_grad():
        EDITS[edit](layer)
    with torch.no_grad():
        cached = layer(x)
    fresh = copy.deepcopy(layer).train()(x).detach()
    assert torch.equal(cached, fresh)


def test_a_change_of_dtype_or_device_is_seen():
    layer = c4.LiftingConv2d(1, 2, 3, padding=1).eval()
    x = torch.randn(1, 1, 7, 7)
    with torch.no_grad():
        layer(x)
        doubled = layer.double()(x.double())
    assert doubled.dtype == torch.float64


def test_setting_the_bias_to_none_after_a_cached_forward_is_seen():
    layer = c4.LiftingConv2d(1, 2, 3, padding=1).eval()
    x = torch.randn(1, 1, 7, 7)
    with torch.no_grad():
        layer(x)
        layer.bias = None
        cached = layer(x)
    assert torch.equal(cached, copy.deepcopy(layer).train()(x).detach())


def test_a_parametrized_weight_is_computed_and_its_changes_are_seen():
    """torch.nn.utils.parametrize replaces the parameter by a computed attribute; the cache reads that."""
    torch.manual_seed(0)
    layer = c8.GroupConv2d(2, 2, 5, padding=2)
    torch.nn.utils.parametrize.register_parametrization(layer, "weight", _Doubled())
    layer.eval()
    x = torch.randn(1, 2, c8.ORDER, 9, 9)
    with torch.no_grad():
        layer(x)  # fills the cache
        layer.parametrizations.weight.original.mul_(-1)
        cached = layer(x)
    assert torch.equal(cached, copy.deepcopy(layer).train()(x).detach())


class _Doubled(torch.nn.Module):
    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return 2 * weight
