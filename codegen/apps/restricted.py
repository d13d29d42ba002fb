"""Networks that start with a group and continue with one of its catalog subgroups (D8 then C8, D16 then C16).

The first blocks are equivariant to the whole group, which shares each filter among more transformations; the
later ones only to the subgroup, which may tell apart what the group identifies (a digit and its mirror image).
At the hand-over, each regular field of the group is read as |G|/|H| regular fields of the subgroup: the
generated ``RestrictField`` only reorders its channels, so the hand-over costs a gather.
"""

from __future__ import annotations

from types import ModuleType

import torch
from torch import nn

from ..loading import import_group_module


class RegularRestriction(nn.Module):
    """Group features (B, C, |G|, H, W) read as the subgroup's features (B, C |G| / |H|, |H|, H, W)."""

    def __init__(self, group: ModuleType, subgroup: str, fields: int) -> None:
        super().__init__()
        self.restrict = group.RestrictField(group.FieldType(regular=fields), subgroup)
        self.order = fields * group.ORDER // self.restrict.fields["regular"]  # the subgroup's

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return self.restrict(y.flatten(1, 2)).unflatten(1, (-1, self.order))


class RestrictedCNN(nn.Module):
    """``GroupEquivariantCNN`` of `group` for the first `restrict_after` blocks, then of `subgroup` (a catalog
    name in ``group.RESTRICTIONS``).

    Each block is a convolution ('same' padding), batch norm and ReLU, with a 2x2 max pool after every
    `downsample_every`-th; the subgroup's blocks have ``hidden_channels * |G| / |H|`` fields, so every block
    has the same channels (and costs about the same) on both sides of the hand-over. The logits are
    invariant to the subgroup.

    >>> from generated import d4
    >>> net = RestrictedCNN(d4, "c4", 1, 10, hidden_channels=2, num_layers=3, restrict_after=1, kernel_size=3)
    >>> net(torch.randn(2, 1, 9, 9)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        group: ModuleType,
        subgroup: str,
        in_channels: int,
        num_classes: int,
        hidden_channels: int,
        num_layers: int,
        restrict_after: int,
        kernel_size: int = 5,
        group_pool: str = "mean",
        downsample_every: int = 0,
        filters: str | None = None,
    ) -> None:
        super().__init__()
        subgroups = getattr(group, "RESTRICTIONS", {})  # catalog subgroups only: their modules exist
        if subgroup not in subgroups:
            known = ", ".join(subgroups) or "none"
            raise ValueError(
                f"RestrictedCNN: {subgroup!r} is not a catalog subgroup of {group.GROUP_NAME} (known: {known})"
            )
        if not 1 <= restrict_after < num_layers:
            raise ValueError(f"RestrictedCNN: restrict_after must lie in 1..{num_layers - 1}; got {restrict_after}")
        options = {"padding": kernel_size // 2, "filters": filters}
        layers: list[nn.Module] = []
        smaller = import_group_module(subgroup)
        module, fields = group, hidden_channels
        for index in range(num_layers):
            if index == restrict_after:
                layers.append(RegularRestriction(group, subgroup, fields))
                module, fields = smaller, fields * group.ORDER // smaller.ORDER
            if index == 0:
                layers.append(module.LiftingConv2d(in_channels, fields, kernel_size, **options))
            else:
                layers.append(module.GroupConv2d(fields, fields, kernel_size, **options))
            layers += [module.GroupBatchNorm2d(fields), nn.ReLU()]
            if downsample_every and (index + 1) % downsample_every == 0 and index + 1 < num_layers:
                layers.append(module.GroupMaxPool(2))
        self.features = nn.Sequential(*layers)
        self.pool = smaller.GroupPool(group_pool)
        self.head = nn.Linear(self.pool.channels(fields), num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = self.pool(self.features(x))
        return self.head(pooled.flatten(2).mean(dim=2))
