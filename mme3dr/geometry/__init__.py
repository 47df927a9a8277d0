"""Pure measurements on meshes and voxel grids: mesh in, numbers out, no scoring policy.

Every function here takes a normalised, +Z-up :class:`trimesh.Trimesh` (see
:mod:`mme3dr.assets`: centred in x/y, resting on z = 0, largest extent 1) and documents its
units and tolerances. Judgement (what counts as a pass, how to grade) lives in
:mod:`mme3dr.evaluators`.
"""
