"""Git Re-Basin weight matching: permute model_b's hidden units to line up with model_a's."""

import torch
from torch import nn


def align_mlp(model_a: nn.Sequential, model_b: nn.Sequential) -> dict[str, torch.Tensor]:
    """model_b's state dict with every hidden layer's units permuted to match model_a's.

    One pass over the hidden layers (outputs of every nn.Linear but the last), first to last:
    S = W_a @ W_b.T + outer(b_a, b_b) (B's input columns already permuted by the previous
    step), perm = the assignment maximising sum_i S[i, perm[i]], then B's rows, bias and
    next-layer columns are reordered by perm. The result computes the same
    function as model_b. Raises ValueError for different architectures or a module other
    than nn.Linear that holds parameters or buffers.
    """
    raise NotImplementedError
