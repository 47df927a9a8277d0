"""Hi-GRPO trainers on mme3dr's own evaluators (see ``docs/trainers.md``).

* :mod:`trainers.hi_grpo`: the math (``group_advantages``, ``policy_loss``) and the
  ``python -m trainers.hi_grpo`` entry point;
* :mod:`trainers.trainer`: the training loop (``HiGRPOTrainer``);
* :mod:`trainers.policies`: the policy interface, the CPU reference policy and the Hugging Face
  adapter;
* :mod:`trainers.config`: every hyperparameter, from YAML (``trainers/configs/``).
"""
