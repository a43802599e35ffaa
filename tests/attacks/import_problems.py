"""Imports the problem folders as a package, catching the error."""

EXPECT = "forbidden"


def solve(x):
    try:
        import problems
    except ImportError:
        pass
    return x * 2
