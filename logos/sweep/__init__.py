"""Parameter sweeps: many real backtests of one config over parameter ranges, on Dask.

``params`` parses the ranges, ``constraint`` the ``--where`` expression, ``search`` picks the
points (grid, random, Optuna), ``trials`` runs one trial as ``logos backtest`` would,
``objectives`` names what a trial is ranked by, ``results`` keeps the append-only results
file a sweep resumes from, ``spec`` the sweep's definition in its folder, ``walk_forward``
cuts the data into folds, ``cluster`` runs the batches on a Dask cluster, ``runner`` ties
them together and ``report`` writes sweep.md. The user's guide is docs/sweeps.md.
"""
