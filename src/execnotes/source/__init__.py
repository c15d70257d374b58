"""The snippets package as source code: its symbols, regions and
imports, and its export as self-contained copies.
"""
