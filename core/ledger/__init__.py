"""The problem ledger (问题台账): every problem found, tracked to closure (销号)."""
