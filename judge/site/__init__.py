"""The learner's wing: the static, offline study site built from the problem folders.

- :mod:`judge.site.build`: ``build_site`` (pages, assets, downloads, search index) and
  ``serve``; every path the builder reads outside a problem folder is named at its top.
- :mod:`judge.site.content`: a problem's public files (never ``hidden_tests.py``) as page
  data: prompts, editorials, hints (``hints.toml``), worked examples, quizzes.
- :mod:`judge.site.results`: the benchmark reports, in both languages, for the results pages.
- :mod:`judge.site.checks`: what a built page must not show (a formula's LaTeX, a path of
  the building machine) and the English a Chinese reader would still meet.
- :mod:`judge.site.mathrender`: Markdown with build-time MathML and Pygments highlighting.
"""
