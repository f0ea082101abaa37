"""Signals the union tree sends to the apps built on it.

The tree sits at the bottom of the dependency graph and cannot call the apps above it.
Each app that keeps per-unit state connects its receivers in its AppConfig.ready; the
tree services send these inside their transaction, so a receiver's writes commit or
roll back with the reorganisation itself.
"""

from django.dispatch import Signal

# Sent by `unit_move` and `unit_merge` after the tree changed. A reorganisation with an
# effective date may change what was counted where from that date (a back-dated move).
# Arguments: unit_ids (units whose subtree moved), effective_date.
subtree_moved = Signal()

# Sent by `unit_merge` for every unit merged away, after its ReorgEvent is written.
# Arguments: source, target, effective_date, actor, event (the ReorgEvent).
unit_merged = Signal()
