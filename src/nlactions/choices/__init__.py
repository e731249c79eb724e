"""Prefill choices: the ``/choices/{prefill}/`` endpoint and the cache execution shares with it."""
