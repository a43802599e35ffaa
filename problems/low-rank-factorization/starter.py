"""Replace a Linear layer by two thinner ones: the best rank-r factorisation."""

from torch import nn


def low_rank_linear(layer: nn.Linear, rank: int) -> nn.Sequential:
    """nn.Sequential(nn.Linear(in, rank, bias=False), nn.Linear(rank, out, bias=...)).

    The product of the two weights is the best rank-`rank` approximation of layer.weight in
    Frobenius norm (truncated SVD); the second layer has a bias iff `layer` has one, and it
    is a copy of layer.bias. Raises ValueError unless 1 <= rank <= min(in, out).
    """
    raise NotImplementedError
