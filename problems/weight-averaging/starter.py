"""Weighted averaging of model state dicts (the building block of model soups)."""

import torch


def average_state_dicts(
    state_dicts: list[dict[str, torch.Tensor]], weights: list[float] | None = None
) -> dict[str, torch.Tensor]:
    """The weighted mean of every floating-point tensor, weights normalised to sum to one.

    weights=None means uniform. Non-floating tensors (e.g. BatchNorm's num_batches_tracked)
    are copied from the first state dict; every tensor keeps its dtype. Raises ValueError for
    an empty list, differing keys or shapes, a wrong number of weights, a negative weight or
    weights summing to zero.
    """
    raise NotImplementedError
