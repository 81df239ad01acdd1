"""A test plugin whose import fails."""

import logos_tp_this_module_does_not_exist  # noqa: F401
