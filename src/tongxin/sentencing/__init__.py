"""Penalty execution (刑罚执行): eligibility for reduction, parole and temporary execution."""
