"""Greedy model soup (Wortsman et al. 2022)."""

import torch
from torch import nn


def greedy_soup(
    model: nn.Module,
    state_dicts: list[dict[str, torch.Tensor]],
    x_val: torch.Tensor,
    y_val: torch.Tensor,
) -> dict[str, torch.Tensor]:
    """Greedily average fine-tuned ingredients, keeping each one only if it does not hurt.

    Rank the ingredients by their own validation accuracy, best first (ties keep list
    order); start the soup with the best; add each next ingredient if the uniform average of
    the soup plus it scores at least the current soup's accuracy. Accuracy is
    mean(argmax(model(x_val)) == y_val) with `model` in eval mode, loaded with the state dict.
    Returns the final soup's uniform average (non-floating tensors from the soup's first).
    """
    raise NotImplementedError
