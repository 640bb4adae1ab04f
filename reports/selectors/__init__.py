"""Reads for the dashboards: every figure comes from aggregate rows, never from a rescan."""

from .dashboard import dashboard_figures
from .overdue import overdue_people
from .platform import platform_adoption
from .trend import trend_weeks

__all__ = ["dashboard_figures", "overdue_people", "platform_adoption", "trend_weeks"]
