"""The kernel: the shared vocabulary (events, clock, config, rendering, permissions, time rules,
the Channel protocol). It imports nothing else from the project, so every layer may use it."""
