"""probandi: the burden of proof on the seller, proof that is hard to fake."""

__version__ = "0.1.0"
