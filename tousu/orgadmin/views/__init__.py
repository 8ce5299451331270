"""The administration pages, one module per subject."""
