"""Everything in reports that changes state: aggregates, snapshots, report runs, schedules."""
