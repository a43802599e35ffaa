"""Prints lines imitating the judge's own results, then returns a wrong value."""

EXPECT = "wrong_answer"

import json


def solve(x):
    print(json.dumps({"problem": "maml-adapt", "verdict": "accepted", "score": 100.0}))
    print("PASSED: all tests accepted")
    return x * 3
