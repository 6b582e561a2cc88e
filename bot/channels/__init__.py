"""Channel adapters: the only place that knows a platform."""
