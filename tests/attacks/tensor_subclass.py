"""Returns a tensor subclass that claims to equal everything.

It crosses the boundary as a plain tensor holding its real (wrong) data."""

EXPECT = "wrong_answer"

import torch


class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.equal, torch.allclose):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})

    def __eq__(self, other):
        return True


def solve(x):
    return (x * 3).as_subclass(Liar)
