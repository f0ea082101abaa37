"""What initiatives tells the apps above it, which it must not import (rankings keeps
the counters). Every receiver runs synchronously, inside the sender's transaction: a
receiver that fails rolls the write back, so a count can never drift from its row."""

from django.dispatch import Signal

# Sent by `counted_write` with `initiative` (locked and saved) after every write of an
# initiative. A receiver returns True when what it counts moved.
initiative_written = Signal()

# Sent by the bulk import with `initiative_ids` just inserted, in their transaction.
initiatives_created = Signal()

# Sent with `initiative_id` before an initiative is deleted, row locked.
initiative_deleting = Signal()


def any_receiver_moved(responses) -> bool:
    return any(bool(result) for _receiver, result in responses)
