"""Insights: when numbness comes, emotional granularity, variability and flattening."""
