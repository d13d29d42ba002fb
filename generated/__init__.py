"""Generated G-CNN modules, one per group; written by ``gcnn generate``, never edited by hand."""
