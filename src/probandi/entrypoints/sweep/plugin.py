"""The Dask worker plugin that gives every worker the rules (imported only by the dask engine)."""

from __future__ import annotations

import asyncio
import signal

from distributed import Worker, WorkerPlugin

from probandi.domain.sweep import SweepRules
from probandi.entrypoints.sweep.partition import install_rules


class RulesPlugin(WorkerPlugin):
    """Builds the screening engine on every worker of the cluster, also on late joiners."""

    def __init__(self, rules: SweepRules, *, ignore_interrupts: bool = False) -> None:
        self.rules = rules
        self.ignore_interrupts = ignore_interrupts

    async def setup(self, worker: Worker) -> None:
        if self.ignore_interrupts:
            # Workers of the sweep's own LocalCluster: Ctrl-C reaches them too, but the
            # driver stops the cluster itself; a traceback from each would only be noise.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        # In a thread: the worker keeps answering its scheduler while the engine is built.
        await asyncio.to_thread(install_rules, self.rules)
