"""What a roster import tells the apps above it. rosters sits below the apps that keep copies
derived from the roster (meetings' stored 应到/实到), so it never imports them: they connect
to these signals from their AppConfig.ready() (the layering in docs/architecture.md)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside a member import's commit transaction, after its rows are written, with
# ``actor`` (the job's creator) and ``org_paths`` (the organizations whose members were created
# or changed). A receiver that fails rolls the import back.
members_imported = Signal()
