"""Views of the steering app: the register (register.py) and the bøvl inbox (inbox.py)."""
