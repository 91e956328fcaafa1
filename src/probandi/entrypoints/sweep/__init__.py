"""The catalog sweep: screen an existing catalog with the gate's rules, locally or on Dask.

`plan` cuts the input into partitions, `read` validates their rows, `partition` screens
them (the one function both engines run), `engines` runs it on a process pool or a Dask
cluster, `output` writes one part per partition and the manifest, `runner` drives a sweep,
and `cli` is `probandi sweep` and `probandi sweep apply`.
"""
