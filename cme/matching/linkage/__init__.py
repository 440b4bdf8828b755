"""The child linkage engine: pure Python on Splink 5 (DuckDB by default, Spark for scale). No Django.

Modules, in the order data flows through them:

* ``standardise`` - clean names, dates of birth, postcodes, addresses, UPN and NHS number, and
  ``prepare`` a frame for the model; ``variants`` holds the first-name variant table.
* ``model`` - the Splink settings (comparisons, blocking), unsupervised training, and the saved,
  versioned model (``models/child_linkage_v1.json``, rebuilt by ``python -m cme.matching.linkage.train``).
* ``link`` - ``link_frames`` (link two frames or deduplicate one), ``explain_pair`` (field-by-field
  evidence for the review screen), ``cluster`` (pairs -> persons), ``train_model``; the Spark backend.
* ``files`` - read input CSVs (whole or chunk by chunk) and write pair CSVs; ``stream`` - link CSV files
  in bounded memory (chunks into DuckDB tables, Splink on those, pairs streamed out); ``cli`` - what
  ``manage.py link_files`` runs.
* ``synthetic`` - noisy test extracts (twins, siblings, cousins) for the tests and the benchmark.

Nothing here imports Django or another ``cme`` app except ``cme.law`` (pure Python, layer 1) and,
when present, ``cme.synthetic.names`` for extra name variants.
"""
