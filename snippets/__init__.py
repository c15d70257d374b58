"""Teaching code for the Gluon study notes, tested and run by the pages."""
