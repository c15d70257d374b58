"""Where results are kept: the cache on disk, the fingerprint of the
environment that keys it, the remote cache, and merging caches.
"""
