"""Use-cases. Each works inside a UnitOfWork (one transaction per event or job)."""
