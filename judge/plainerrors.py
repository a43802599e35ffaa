"""Common PyTorch errors in plain words: the hint for a call that raised one.

Each entry is a pattern of the error message and the hint a candidate reads instead of
"modified by an inplace operation ... enable anomaly detection"; :func:`judge.testing.failure_hint`
uses it when no known mistake raises the same error.
"""

from __future__ import annotations

__all__ = ["PLAIN_HINTS"]

PLAIN_HINTS: tuple[tuple[str, str], ...] = (
    (
        r"modified by an inplace operation",
        "A tensor that autograd still needs was changed in place after it was used (`x += ...`, "
        "`.add_()`, `.data` assignment, writing into a slice): compute new tensors instead "
        "(`x = x + ...`), or clone before the in-place write.",
    ),
    (
        r"a leaf Variable that requires grad is being used in an in-place operation",
        "A parameter (a leaf that requires grad) is written in place: build new tensors "
        "(`theta - lr * g`) instead of updating the parameter itself.",
    ),
    (
        r"does not require grad and does not have a grad_fn",
        "The value being differentiated does not depend on anything that requires grad: the "
        "graph was cut somewhere (`.detach()`, `.data`, `.item()`, `torch.no_grad()`, a "
        "rebuilt tensor).",
    ),
    (
        r"backward through the graph a second time",
        "The same graph is differentiated twice after its buffers were freed: pass "
        "`create_graph=True` (or `retain_graph=True`) where the graph is used again.",
    ),
    (
        r"appears to not have been used in the graph",
        "One of the tensors passed to `torch.autograd.grad` does not influence the output: "
        "use `allow_unused=True` and treat its gradient (None) as zeros.",
    ),
    (
        r"The size of tensor a \(\d+\) must match the size of tensor b \(\d+\)",
        "Two tensors' shapes do not broadcast: broadcasting lines shapes up from the LAST "
        "dimension, so a per-row vector of shape [n] must be reshaped to [n, 1, ...] first.",
    ),
    (
        r"mat1 and mat2 shapes cannot be multiplied",
        "A matrix product's inner dimensions do not match: check which factor is transposed "
        "and the order of the operands.",
    ),
    (
        r"expected (?:scalar type|m1 and m2 to have the same dtype)|"
        r"found dtype \w+ but expected|can't be cast to the desired output type",
        "Two tensors of different dtypes meet in one operation: convert one of them "
        "(`.to(other.dtype)`) where they meet, and keep the result's dtype the contract names.",
    ),
    (
        r"grad can be implicitly created only for scalar outputs",
        "`backward()` / `autograd.grad` on a non-scalar: reduce the loss to a scalar first (or "
        "pass `grad_outputs`).",
    ),
)
