"""Writes a file into the judge's repo."""

EXPECT = "forbidden"


def solve(x):
    with open("/work/main/metajudge-attack-written", "w") as f:
        f.write("owned")
    return x * 2
