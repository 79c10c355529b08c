"""Hypothesis profiles: `ci` (the default, in `make test`: a bounded budget) and `fuzz` (`make fuzz`: longer).

The budget is in examples, not seconds, so a run is the same on a fast or a loaded machine; no deadline, as
the machines these run on are shared and noisy.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=100, stateful_step_count=50, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("fuzz", max_examples=1500, stateful_step_count=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
