"""Returns an object whose __eq__ is always True."""

EXPECT = "runtime_error"


class Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


def solve(x):
    return Anything()
