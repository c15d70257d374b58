"""One build: the long-lived `Runner`, the `Build` of pages and runs,
notebook runs, and the plan that splits a build into shards.
"""
