"""Procedural example models: primitive-built meshes that answer the starter cases, and a
deliberately broken model. Used by the demo, the benchmark script and the tests."""
