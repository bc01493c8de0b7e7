"""Integrators shared by the implementations: ODE/SDE solves through Diffrax, discrete and
fixed-point maps, and the problem every solve is built from (:mod:`.common`). Nothing is
imported here: each implementation imports the module it uses."""
