"""Channel adapters: the only place that knows a platform. Each imports only the kernel (`core`);
`bot/channel_factories.py` builds them from the config."""
