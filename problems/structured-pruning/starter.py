"""Structured pruning: drop the hidden units with the smallest L1 norm of incoming weights."""

from torch import nn


def prune_neurons(model: nn.Sequential, amount: float) -> nn.Sequential:
    """A smaller dense copy of model without the weakest hidden units of each hidden layer.

    Every nn.Linear but the last is a hidden layer of h units and loses
    min(round(amount * h), h - 1) of them: those whose row of the weight (bias excluded) has
    the smallest L1 norm, scored on the original model; ties remove the larger index.
    The next nn.Linear loses the matching input columns. Kept units keep their order.
    model is not modified. Raises ValueError if amount is outside [0, 1] or a layer other
    than nn.Linear has parameters.
    """
    raise NotImplementedError
