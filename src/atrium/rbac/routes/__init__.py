"""RBAC's HTTP routes, one module per resource (assembled in ``atrium.rbac.router``)."""
