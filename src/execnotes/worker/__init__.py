"""Running code: the pool of forked workers (or a Dask cluster), the
zygote and its children, and what a child captures, tracks and shows.
"""
