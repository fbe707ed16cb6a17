"""Node drain: the operator's drain writes (`update.py`), the pure decision of which
allocations move next (`plan.py`) and the leader's loop that applies it (`drainer.py`).

    node drain -enable ─▶ node ineligible, DrainStrategy set, LastDrain "draining"
        drainer, on every change of nodes or allocations:
          service groups: mark up to `migrate.max_parallel` allocations (fewer while
              replacements are not yet healthy) DesiredTransition.Migrate, and evaluate
              the job; the scheduler stops each and places its replacement elsewhere
          batch allocations: left to finish
          deadline passed: every allocation left (not system ones) is marked at once
          nothing but system allocations left: those are marked (unless ignored) and
              the drain is complete (LastDrain "complete"; the node stays ineligible)
"""
