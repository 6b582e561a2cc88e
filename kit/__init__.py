"""The handler kit: routing table, typed handler contexts and the command menu — what handlers
are written with. Imports only the kernel, models and services."""
