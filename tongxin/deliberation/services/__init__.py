"""Every write to forums and topics: validated, atomic, audited. One module per stage:
forums (platforms and households), topics (说 and 议), voting (表决), acting (办 and 评)."""
