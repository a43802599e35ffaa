"""The runner: where submitted code runs, and the whole trust boundary around it.

(Theory of operation: being rewritten with the sandbox rebuild; see judge.runner.sandbox.)
"""
