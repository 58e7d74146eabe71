"""Mechanisms: one module per process of the model, each a set of small documented
functions on numpy arrays and the parameters of ``teachsim.config.parameters``.

Time use, burnout, absences, collaboration, practice, coaching, pairing, observation,
professional learning, induction, careers, intentions, retention, returners, hiring,
students' growth and pay. Mechanisms hold no state and know nothing of Mesa or of the model that
calls them, so each can be tested by hand on a few numbers.
"""
