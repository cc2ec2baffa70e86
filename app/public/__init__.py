"""The public site: home, dashboards, health."""
