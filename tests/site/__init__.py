"""The real site: built pages, browser tests, publishing and serving."""
