"""What a reader sees: pages rendered from results, figures, reports,
cross-references, and the notebooks and downloads made from pages.
"""
