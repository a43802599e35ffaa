"""The learner's wing: the static, offline study site built from the problem folders.

- :mod:`judge.site.build`: ``build_site`` (pages, assets, search index) and ``serve``.
- :mod:`judge.site.content`: a problem's public files (never ``hidden_tests.py``) as page data.
- :mod:`judge.site.mathrender`: Markdown with build-time MathML and Pygments highlighting.
"""
