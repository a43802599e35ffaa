"""Monkeypatches builtins (isinstance, len) in the child.

That breaks the child's own harness (torch.save needs them), so the judge sees a child that
died: runtime_error, judged in the parent, whose builtins are untouched. Never accepted.
"""

EXPECT = "runtime_error"

import builtins

builtins.isinstance = lambda *a: True
builtins.len = lambda *a: 0


def solve(x):
    return x * 3
