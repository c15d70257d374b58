"""Reading pages: the directives of a Markdown page, their options, and
notebook pages (.ipynb).
"""
