"""Signals the union tree sends to the apps that depend on it.

The tree sits at the bottom of the dependency graph and cannot call the apps above it;
a reorganisation with an effective date may change what was counted where from that
date (a back-dated move), so it says so explicitly, inside its transaction.
"""

from django.dispatch import Signal

# Sent by `unit_move` and `unit_merge` after the tree changed, inside the transaction.
# Arguments: unit_ids (units whose subtree moved), effective_date.
subtree_moved = Signal()
